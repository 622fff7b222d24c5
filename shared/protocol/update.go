package protocol

import (
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/shared/rules"
)

// An Update is the frame the server sends most: every delivery of every
// action is one. msgpack's reflection spends more on it than the rest of the
// delivery does (it boxes each omitempty field to ask whether it is empty,
// and makes a list of the fields it keeps for every struct), so Update
// encodes itself, writing the bytes reflection writes with compact integers,
// as Encode asks: the same keys, in the same order, the same fields left
// out. TestUpdateEncodesAsReflectionDoes holds the two equal for every field
// of every type below, so a field added to one of them and not here fails
// it. Decoding is msgpack's own.

// EncodeMsgpack writes u.
func (u Update) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := fields{enc: enc}
	w.mapLen(2)
	w.uint("q", u.Seq)
	if w.key("e") && w.items(u.Events == nil, len(u.Events)) {
		for i := range u.Events {
			w.event(&u.Events[i])
		}
	}
	return w.err
}

// fields writes a struct's map, keeping the first error. The opt methods
// write an omitempty field: nothing when its value is empty.
type fields struct {
	enc *msgpack.Encoder
	err error
}

func (w *fields) mapLen(n int) {
	if w.err == nil {
		w.err = w.enc.EncodeMapLen(n)
	}
}

// key writes a field's name, and reports whether its value may follow.
func (w *fields) key(k string) bool {
	if w.err == nil {
		w.err = w.enc.EncodeString(k)
	}
	return w.err == nil
}

func (w *fields) str(k, v string) {
	if w.key(k) {
		w.err = w.enc.EncodeString(v)
	}
}

func (w *fields) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *fields) int(k string, v int) {
	if w.key(k) {
		w.err = w.enc.EncodeInt(int64(v))
	}
}

func (w *fields) optInt(k string, v int) {
	if v != 0 {
		w.int(k, v)
	}
}

// uint writes an unsigned field: with compact integers, as Encode uses, a
// uint8's bytes are a uint64's.
func (w *fields) uint(k string, v uint64) {
	if w.key(k) {
		w.err = w.enc.EncodeUint(v)
	}
}

func (w *fields) optBool(k string, v bool) {
	if v && w.key(k) {
		w.err = w.enc.EncodeBool(true)
	}
}

func (w *fields) optStrs(k string, v []string) {
	if len(v) > 0 && w.key(k) && w.items(false, len(v)) {
		for _, s := range v {
			if w.err == nil {
				w.err = w.enc.EncodeString(s)
			}
		}
	}
}

// items begins a list's value of n items, nil for a nil list as
// reflection writes one, and reports whether the items follow. (A loop of
// the caller's, not a function to call for each: one passed w to the heap.)
func (w *fields) items(isNil bool, n int) bool {
	if w.err != nil {
		return false
	}
	if isNil {
		w.err = w.enc.EncodeNil()
		return false
	}
	w.err = w.enc.EncodeArrayLen(n)
	return w.err == nil
}

// count is how many of an omitempty struct's fields are kept: always
// those that are not omitempty, and each of the others that is set.
func count(always int, set ...bool) int {
	for _, s := range set {
		if s {
			always++
		}
	}
	return always
}

func (w *fields) event(e *rules.Event) {
	w.mapLen(count(2, e.Pos != 0, e.Value != 0, e.On, e.Text != "", e.SeatInfo != nil, e.Step != nil,
		len(e.Decks) > 0, len(e.Chosen) > 0, len(e.Excluded) > 0, e.Summary != nil))
	w.uint("k", uint64(e.Kind))
	w.int("s", int(e.Seat))
	w.optInt("p", e.Pos)
	w.optInt("v", e.Value)
	w.optBool("o", e.On)
	w.optStr("t", e.Text)
	if e.SeatInfo != nil && w.key("si") {
		w.seat(e.SeatInfo)
	}
	if e.Step != nil && w.key("st") {
		w.step(e.Step)
	}
	if len(e.Decks) > 0 && w.key("dk") && w.items(false, len(e.Decks)) {
		for i := range e.Decks {
			w.deck(&e.Decks[i])
		}
	}
	w.optStrs("ch", e.Chosen)
	w.optStrs("ex", e.Excluded)
	if e.Summary != nil && w.key("su") {
		w.summary(e.Summary)
	}
}

func (w *fields) seat(s *rules.SeatView) {
	w.mapLen(count(4, s.Nick != "", s.Online))
	w.int("id", int(s.ID))
	w.uint("r", uint64(s.Role))
	w.optStr("n", s.Nick)
	w.str("l", s.Lang)
	w.uint("st", uint64(s.Status))
	w.optBool("on", s.Online)
}

func (w *fields) deck(d *rules.DeckInfo) {
	w.mapLen(count(4, d.Description != "", d.Minutes != 0, d.MinAge != 0, len(d.Tags) > 0, d.Custom))
	w.str("id", d.ID)
	w.str("k", string(d.Kind))
	w.str("ti", d.Title)
	w.optStr("d", d.Description)
	w.optInt("m", d.Minutes)
	w.optInt("a", d.MinAge)
	w.int("n", d.Cards)
	w.optStrs("tg", d.Tags)
	w.optBool("cu", d.Custom)
}

func (w *fields) step(s *rules.StepView) {
	w.mapLen(count(5, len(s.Answers) > 0, s.Bookmarked))
	w.int("p", s.Pos)
	if w.key("c") {
		w.card(&s.Card)
	}
	w.int("t", int(s.Turn))
	w.int("ch", s.Choice)
	w.int("cb", int(s.ChoiceBy))
	if len(s.Answers) > 0 && w.key("a") && w.items(false, len(s.Answers)) {
		for i := range s.Answers {
			w.answer(&s.Answers[i])
		}
	}
	w.optBool("b", s.Bookmarked)
}

func (w *fields) answer(a *rules.Answer) {
	w.mapLen(count(1, a.Text != "", a.Passed, a.Rating != 0, a.Rated))
	w.int("s", int(a.Seat))
	w.optStr("t", a.Text)
	w.optBool("p", a.Passed)
	w.optInt("v", a.Rating)
	w.optBool("r", a.Rated)
}

func (w *fields) card(c *rules.CardView) {
	w.mapLen(count(4, c.Theme != "", c.Deck != "", c.Title != "", c.Prompt != "", c.Note != "",
		len(c.Choices) > 0, c.Min != 0, c.Max != 0, c.Low != "", c.High != "", c.Phone != "", c.URL != "",
		c.Hours != "", c.By != 0, c.Open))
	if w.key("ref") {
		w.mapLen(count(1, c.Ref.Deck != ""))
		w.optStr("d", c.Ref.Deck)
		w.str("c", c.Ref.Card)
	}
	w.str("k", string(c.Kind))
	w.optStr("th", c.Theme)
	w.str("a", string(c.Answerer))
	w.optStr("dt", c.Deck)
	w.optStr("ti", c.Title)
	w.str("t", c.Text)
	w.optStr("p", c.Prompt)
	w.optStr("n", c.Note)
	w.optStrs("c", c.Choices)
	w.optInt("mi", c.Min)
	w.optInt("ma", c.Max)
	w.optStr("lo", c.Low)
	w.optStr("hi", c.High)
	w.optStr("ph", c.Phone)
	w.optStr("u", c.URL)
	w.optStr("ho", c.Hours)
	w.optInt("by", int(c.By))
	w.optBool("op", c.Open)
}

func (w *fields) summary(s *rules.SummaryView) {
	w.mapLen(2)
	if w.key("s") && w.items(s.Steps == nil, len(s.Steps)) {
		for i := range s.Steps {
			w.summaryStep(&s.Steps[i])
		}
	}
	if w.key("h") && w.items(s.Help == nil, len(s.Help)) {
		for i := range s.Help {
			w.card(&s.Help[i])
		}
	}
}

func (w *fields) summaryStep(s *rules.SummaryStep) {
	w.mapLen(count(2, s.Deck != "", s.Title != "", s.Choice != "", len(s.Ratings) > 0, s.Bookmarked))
	w.str("k", string(s.Kind))
	w.optStr("d", s.Deck)
	w.optStr("ti", s.Title)
	w.str("t", s.Text)
	w.optStr("c", s.Choice)
	if len(s.Ratings) > 0 && w.key("r") && w.items(false, len(s.Ratings)) {
		for _, r := range s.Ratings {
			if w.err == nil {
				w.err = w.enc.EncodeInt(int64(r))
			}
		}
	}
	w.optBool("b", s.Bookmarked)
}

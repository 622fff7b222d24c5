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
	if w.key("e") {
		if u.Events == nil {
			w.nil()
		} else {
			w.arrayLen(len(u.Events))
			for i := range u.Events {
				w.event(&u.Events[i])
			}
		}
	}
	return w.err
}

// fields writes a struct's map, keeping the first error.
type fields struct {
	enc *msgpack.Encoder
	err error
}

func (w *fields) mapLen(n int) {
	if w.err == nil {
		w.err = w.enc.EncodeMapLen(n)
	}
}

func (w *fields) arrayLen(n int) {
	if w.err == nil {
		w.err = w.enc.EncodeArrayLen(n)
	}
}

func (w *fields) nil() {
	if w.err == nil {
		w.err = w.enc.EncodeNil()
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

func (w *fields) int(k string, v int) {
	if w.key(k) {
		w.err = w.enc.EncodeInt(int64(v))
	}
}

// uint writes an unsigned field: with compact integers, as Encode uses, a
// uint8's bytes are a uint64's.
func (w *fields) uint(k string, v uint64) {
	if w.key(k) {
		w.err = w.enc.EncodeUint(v)
	}
}

func (w *fields) bool(k string, v bool) {
	if w.key(k) {
		w.err = w.enc.EncodeBool(v)
	}
}

func (w *fields) strs(k string, v []string) {
	if !w.key(k) {
		return
	}
	if v == nil {
		w.nil()
		return
	}
	w.arrayLen(len(v))
	for _, s := range v {
		if w.err == nil {
			w.err = w.enc.EncodeString(s)
		}
	}
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
	if e.Pos != 0 {
		w.int("p", e.Pos)
	}
	if e.Value != 0 {
		w.int("v", e.Value)
	}
	if e.On {
		w.bool("o", true)
	}
	if e.Text != "" {
		w.str("t", e.Text)
	}
	if e.SeatInfo != nil && w.key("si") {
		w.seat(e.SeatInfo)
	}
	if e.Step != nil && w.key("st") {
		w.step(e.Step)
	}
	if len(e.Decks) > 0 && w.key("dk") {
		w.arrayLen(len(e.Decks))
		for i := range e.Decks {
			w.deck(&e.Decks[i])
		}
	}
	if len(e.Chosen) > 0 {
		w.strs("ch", e.Chosen)
	}
	if len(e.Excluded) > 0 {
		w.strs("ex", e.Excluded)
	}
	if e.Summary != nil && w.key("su") {
		w.summary(e.Summary)
	}
}

func (w *fields) seat(s *rules.SeatView) {
	w.mapLen(count(4, s.Nick != "", s.Online))
	w.int("id", int(s.ID))
	w.uint("r", uint64(s.Role))
	if s.Nick != "" {
		w.str("n", s.Nick)
	}
	w.str("l", s.Lang)
	w.uint("st", uint64(s.Status))
	if s.Online {
		w.bool("on", true)
	}
}

func (w *fields) deck(d *rules.DeckInfo) {
	w.mapLen(count(4, d.Description != "", d.Minutes != 0, d.MinAge != 0, len(d.Tags) > 0, d.Custom))
	w.str("id", d.ID)
	w.str("k", string(d.Kind))
	w.str("ti", d.Title)
	if d.Description != "" {
		w.str("d", d.Description)
	}
	if d.Minutes != 0 {
		w.int("m", d.Minutes)
	}
	if d.MinAge != 0 {
		w.int("a", d.MinAge)
	}
	w.int("n", d.Cards)
	if len(d.Tags) > 0 {
		w.strs("tg", d.Tags)
	}
	if d.Custom {
		w.bool("cu", true)
	}
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
	if len(s.Answers) > 0 && w.key("a") {
		w.arrayLen(len(s.Answers))
		for i := range s.Answers {
			w.answer(&s.Answers[i])
		}
	}
	if s.Bookmarked {
		w.bool("b", true)
	}
}

func (w *fields) answer(a *rules.Answer) {
	w.mapLen(count(1, a.Text != "", a.Passed, a.Rating != 0, a.Rated))
	w.int("s", int(a.Seat))
	if a.Text != "" {
		w.str("t", a.Text)
	}
	if a.Passed {
		w.bool("p", true)
	}
	if a.Rating != 0 {
		w.int("v", a.Rating)
	}
	if a.Rated {
		w.bool("r", true)
	}
}

func (w *fields) card(c *rules.CardView) {
	w.mapLen(count(4, c.Theme != "", c.Deck != "", c.Title != "", c.Prompt != "", c.Note != "",
		len(c.Choices) > 0, c.Min != 0, c.Max != 0, c.Low != "", c.High != "", c.Phone != "", c.URL != "",
		c.Hours != "", c.By != 0, c.Open))
	if w.key("ref") {
		w.mapLen(count(1, c.Ref.Deck != ""))
		if c.Ref.Deck != "" {
			w.str("d", c.Ref.Deck)
		}
		w.str("c", c.Ref.Card)
	}
	w.str("k", string(c.Kind))
	if c.Theme != "" {
		w.str("th", c.Theme)
	}
	w.str("a", string(c.Answerer))
	if c.Deck != "" {
		w.str("dt", c.Deck)
	}
	if c.Title != "" {
		w.str("ti", c.Title)
	}
	w.str("t", c.Text)
	if c.Prompt != "" {
		w.str("p", c.Prompt)
	}
	if c.Note != "" {
		w.str("n", c.Note)
	}
	if len(c.Choices) > 0 {
		w.strs("c", c.Choices)
	}
	if c.Min != 0 {
		w.int("mi", c.Min)
	}
	if c.Max != 0 {
		w.int("ma", c.Max)
	}
	if c.Low != "" {
		w.str("lo", c.Low)
	}
	if c.High != "" {
		w.str("hi", c.High)
	}
	if c.Phone != "" {
		w.str("ph", c.Phone)
	}
	if c.URL != "" {
		w.str("u", c.URL)
	}
	if c.Hours != "" {
		w.str("ho", c.Hours)
	}
	if c.By != 0 {
		w.int("by", int(c.By))
	}
	if c.Open {
		w.bool("op", true)
	}
}

func (w *fields) summary(s *rules.SummaryView) {
	w.mapLen(2)
	if w.key("s") {
		if s.Steps == nil {
			w.nil()
		} else {
			w.arrayLen(len(s.Steps))
			for i := range s.Steps {
				w.summaryStep(&s.Steps[i])
			}
		}
	}
	if w.key("h") {
		if s.Help == nil {
			w.nil()
		} else {
			w.arrayLen(len(s.Help))
			for i := range s.Help {
				w.card(&s.Help[i])
			}
		}
	}
}

func (w *fields) summaryStep(s *rules.SummaryStep) {
	w.mapLen(count(2, s.Deck != "", s.Title != "", s.Choice != "", len(s.Ratings) > 0, s.Bookmarked))
	w.str("k", string(s.Kind))
	if s.Deck != "" {
		w.str("d", s.Deck)
	}
	if s.Title != "" {
		w.str("ti", s.Title)
	}
	w.str("t", s.Text)
	if s.Choice != "" {
		w.str("c", s.Choice)
	}
	if len(s.Ratings) > 0 && w.key("r") {
		w.arrayLen(len(s.Ratings))
		for _, r := range s.Ratings {
			if w.err == nil {
				w.err = w.enc.EncodeInt(int64(r))
			}
		}
	}
	if s.Bookmarked {
		w.bool("b", true)
	}
}

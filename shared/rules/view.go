package rules

import (
	"slices"

	"github.com/pore/elamanipeli/shared/deck"
)

// View is what one seat knows of the room: enough to draw the screen and to
// know which actions are legal, and nothing it should not see.
type View struct {
	Phase    Phase        `msgpack:"ph"`
	Me       SeatID       `msgpack:"me"`
	Role     Role         `msgpack:"r"`
	Lang     string       `msgpack:"l"`
	Seats    []SeatView   `msgpack:"se"` // at the table; the host also sees who knocks
	Locked   bool         `msgpack:"lk,omitempty"`
	Watch    bool         `msgpack:"wl,omitempty"` // no new spectators may join
	Training bool         `msgpack:"tr,omitempty"`
	Library  []DeckInfo   `msgpack:"li,omitempty"` // the host's choice of decks
	Chosen   []string     `msgpack:"dk,omitempty"`
	Excluded []string     `msgpack:"ex,omitempty"`
	Step     *StepView    `msgpack:"st,omitempty"`
	Played   int          `msgpack:"pl,omitempty"` // cards in the path so far
	Paused   bool         `msgpack:"pz,omitempty"`
	PausedBy SeatID       `msgpack:"pb"`
	Summary  *SummaryView `msgpack:"su,omitempty"`
}

// SeatView is a seat as others see it.
type SeatView struct {
	ID     SeatID `msgpack:"id"`
	Role   Role   `msgpack:"r"`
	Nick   string `msgpack:"n,omitempty"`
	Lang   string `msgpack:"l"`
	Status Status `msgpack:"st"`
	Online bool   `msgpack:"on,omitempty"`
}

// DeckInfo is what a host sees when choosing decks.
type DeckInfo struct {
	ID          string        `msgpack:"id"`
	Kind        deck.DeckKind `msgpack:"k"`
	Title       string        `msgpack:"ti"`
	Description string        `msgpack:"d,omitempty"`
	Minutes     int           `msgpack:"m,omitempty"`
	MinAge      int           `msgpack:"a,omitempty"`
	Cards       int           `msgpack:"n"`
	Tags        []string      `msgpack:"tg,omitempty"`
	Custom      bool          `msgpack:"cu,omitempty"` // brought by the host
}

// CardView is a card in one language, with the worker note only for those
// who may see it.
type CardView struct {
	Ref      CardRef       `msgpack:"ref"`
	Kind     deck.Kind     `msgpack:"k"`
	Theme    string        `msgpack:"th,omitempty"`
	Answerer deck.Answerer `msgpack:"a"`
	Deck     string        `msgpack:"dt,omitempty"` // the deck's title
	Title    string        `msgpack:"ti,omitempty"`
	Text     string        `msgpack:"t"`
	Prompt   string        `msgpack:"p,omitempty"`
	Note     string        `msgpack:"n,omitempty"`
	Choices  []string      `msgpack:"c,omitempty"`
	Min      int           `msgpack:"mi,omitempty"` // reflection scale
	Max      int           `msgpack:"ma,omitempty"`
	Low      string        `msgpack:"lo,omitempty"`
	High     string        `msgpack:"hi,omitempty"`
	Phone    string        `msgpack:"ph,omitempty"` // help services
	URL      string        `msgpack:"u,omitempty"`
	Hours    string        `msgpack:"ho,omitempty"`
	By       SeatID        `msgpack:"by,omitempty"` // a player's own question: who wrote it
	Open     bool          `msgpack:"op,omitempty"` // a blank card still waiting for its question
}

// StepView is the card on the table and what has happened to it.
type StepView struct {
	Pos        int      `msgpack:"p"`
	Card       CardView `msgpack:"c"`
	Turn       SeatID   `msgpack:"t"`
	Choice     int      `msgpack:"ch"`
	ChoiceBy   SeatID   `msgpack:"cb"`
	Answers    []Answer `msgpack:"a,omitempty"`
	Bookmarked bool     `msgpack:"b,omitempty"`
}

// SummaryView is the end of a session: the path taken, what was bookmarked,
// and where to find help.
type SummaryView struct {
	Steps []SummaryStep `msgpack:"s"`
	Help  []CardView    `msgpack:"h"`
}

// SummaryStep is one card of the path. Typed answers and passes are not in it.
type SummaryStep struct {
	Kind       deck.Kind `msgpack:"k"`
	Deck       string    `msgpack:"d,omitempty"`
	Title      string    `msgpack:"ti,omitempty"`
	Text       string    `msgpack:"t"`
	Choice     string    `msgpack:"c,omitempty"`
	Ratings    []int     `msgpack:"r,omitempty"`
	Bookmarked bool      `msgpack:"b,omitempty"`
}

// ViewOf returns what seat id sees of s.
func ViewOf(s *State, id SeatID) View {
	me := s.Seat(id)
	v := View{Phase: s.Phase, Me: id, PausedBy: s.PausedBy, Locked: s.Locked, Watch: s.Watch, Training: s.Training,
		Paused: s.Paused, Played: len(s.Path)}
	if me == nil {
		return v
	}
	v.Role, v.Lang = me.Role, me.Lang
	for i := range s.Seats {
		if sv, ok := seatFor(s, &s.Seats[i], me); ok {
			v.Seats = append(v.Seats, sv)
		}
	}
	if me.Role == Host {
		v.Library = libraryFor(s, me.Lang)
	}
	v.Chosen = slices.Clone(s.Chosen)
	v.Excluded = slices.Clone(s.Excluded)
	v.Step = stepFor(s, s.Pos, me)
	if s.Phase >= Summary {
		v.Summary = summaryFor(s, me.Lang)
	}
	return v
}

// seatFor is seat as viewer sees it; ok is false when viewer may not see it.
func seatFor(s *State, seat *Seat, viewer *Seat) (SeatView, bool) {
	visible := seat.Status == In || (seat.Status == Knocking && (viewer.Role == Host || seat.ID == viewer.ID))
	if !visible {
		return SeatView{}, false
	}
	return SeatView{ID: seat.ID, Role: seat.Role, Nick: seat.Nick, Lang: seat.Lang, Status: seat.Status, Online: seat.Online}, true
}

func libraryFor(s *State, lang string) []DeckInfo {
	var out []DeckInfo
	for _, d := range s.Lib.Decks() {
		if !d.Kind.Played() {
			continue
		}
		out = append(out, DeckInfo{
			ID: d.ID, Kind: d.Kind, Title: d.Title.In(lang), Description: d.Description.In(lang),
			Minutes: d.Minutes, MinAge: d.MinAge, Cards: len(d.Cards), Tags: slices.Clone(d.Tags),
			Custom: slices.ContainsFunc(s.Custom, func(c *deck.Deck) bool { return c.ID == d.ID }),
		})
	}
	return out
}

// seesNotes reports whether viewer may read worker notes.
func seesNotes(s *State, viewer *Seat) bool {
	return viewer.Role == Host || (viewer.Role == Spectator && s.Training)
}

// stepFor is step pos as viewer sees it, or nil when there is none.
func stepFor(s *State, pos int, viewer *Seat) *StepView {
	if s.Phase != Playing || pos < 0 || pos >= len(s.Path) {
		return nil
	}
	st := &s.Path[pos]
	return &StepView{
		Pos: pos, Card: cardFor(s, st.Card, viewer.Lang, seesNotes(s, viewer)),
		Turn: st.Turn, Choice: st.Choice, ChoiceBy: st.ChoiceBy,
		Answers: slices.Clone(st.Answers), Bookmarked: st.Bookmarked,
	}
}

// cardFor is the card ref points at, in lang.
func cardFor(s *State, ref CardRef, lang string, notes bool) CardView {
	c := s.Card(ref)
	if c == nil {
		return CardView{Ref: ref}
	}
	return cardView(s, ref, c, lang, notes)
}

func cardView(s *State, ref CardRef, c *deck.Card, lang string, notes bool) CardView {
	v := CardView{
		Ref: ref, Kind: c.Kind, Theme: c.Theme, Answerer: c.Answers(),
		Title: c.Title.In(lang), Text: c.Text.In(lang), Prompt: c.Prompt.In(lang),
		By: NoSeat,
	}
	if d := s.Lib.Deck(ref.Deck); d != nil {
		v.Deck = d.Title.In(lang)
	}
	if notes {
		v.Note = c.Note.In(lang)
	}
	for _, ch := range c.Choices {
		v.Choices = append(v.Choices, ch.Text.In(lang))
	}
	if c.Scale != nil {
		v.Min, v.Max, v.Low, v.High = c.Scale.Min, c.Scale.Max, c.Scale.Low.In(lang), c.Scale.High.In(lang)
	}
	if c.Contact != nil {
		v.Phone, v.URL, v.Hours = c.Contact.Phone, c.Contact.URL, c.Contact.Hours.In(lang)
	}
	v.Open = c.Kind.Written()
	if ref.Deck == "" {
		for _, b := range s.Blanks {
			if b.Card.ID == ref.Card {
				v.By = b.By
			}
		}
	}
	return v
}

func summaryFor(s *State, lang string) *SummaryView {
	sum := &SummaryView{Steps: []SummaryStep{}, Help: []CardView{}}
	for i := range s.Path {
		st := &s.Path[i]
		c := s.Card(st.Card)
		if c == nil {
			continue
		}
		ss := SummaryStep{Kind: c.Kind, Title: c.Title.In(lang), Text: c.Text.In(lang), Bookmarked: st.Bookmarked}
		if d := s.Lib.Deck(st.Card.Deck); d != nil {
			ss.Deck = d.Title.In(lang)
		}
		if st.Choice >= 0 && st.Choice < len(c.Choices) {
			ss.Choice = c.Choices[st.Choice].Text.In(lang)
		}
		for _, a := range st.Answers {
			if a.Rated {
				ss.Ratings = append(ss.Ratings, a.Rating)
			}
		}
		sum.Steps = append(sum.Steps, ss)
	}
	for _, c := range s.Lib.HelpCards() {
		d := CardRef{Card: c.ID}
		for _, hd := range s.Lib.Decks() {
			if !hd.Kind.Played() && hd.Card(c.ID) == c {
				d.Deck = hd.ID
			}
		}
		sum.Help = append(sum.Help, cardView(s, d, c, lang, false))
	}
	return sum
}

// Seat returns the seat with id in the view, or nil.
func (v *View) Seat(id SeatID) *SeatView {
	for i := range v.Seats {
		if v.Seats[i].ID == id {
			return &v.Seats[i]
		}
	}
	return nil
}

// HostAway reports whether the host's connection is down.
func (v *View) HostAway() bool {
	h := v.Seat(0)
	return h == nil || !h.Online
}

// Answerers returns the seats expected to answer the card on the table.
func (v *View) Answerers() []SeatID {
	if v.Step == nil {
		return nil
	}
	return answerersFrom(v.Step.Card.Answerer, v.Step.Turn, func(yield func(SeatID, Role) bool) {
		for _, s := range v.Seats {
			if s.Status == In && !yield(s.ID, s.Role) {
				return
			}
		}
	})
}

// Clone returns a copy of v that shares nothing Apply changes, so a client
// can keep an old view while it builds the next.
func (v View) Clone() View {
	v.Seats = slices.Clone(v.Seats)
	v.Library = slices.Clone(v.Library)
	v.Chosen = slices.Clone(v.Chosen)
	v.Excluded = slices.Clone(v.Excluded)
	if v.Step != nil {
		st := *v.Step
		st.Answers = slices.Clone(st.Answers)
		v.Step = &st
	}
	return v
}

// IsScene reports whether the card is a story scene that ends in choices.
func (c *CardView) IsScene() bool { return c.Kind.InStory() && len(c.Choices) > 0 }

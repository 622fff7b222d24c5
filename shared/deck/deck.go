// Package deck defines the cards and decks of the game as plain data.
//
// A deck is read from a file by the server (see server/deckfile) and then never
// changes: the rules and the client only ever read it. Text is kept per
// language so that every player sees a card in their own language at the same
// moment. What a card's kind asks of it is answered by the kind's methods.
//
// The problems the checker finds in a deck file are here too (Problem,
// CheckResult), as codes with arguments, with Expand to fill in their words
// from a translation catalog, so that the server and the client say them
// alike.
package deck

import "slices"

// Languages the game ships with, Finnish first. A deck may offer fewer.
var Languages = []string{"fi", "sv", "en"}

// DefaultLanguage is used when a player's language is missing from a text.
const DefaultLanguage = "fi"

// The game is for young people aged 16 to 29 (see the project's CONTENT.md):
// this is the one place that says so. A deck is for all of them unless it
// names a youngest age of its own.
const (
	YoungestAge = 16
	OldestAge   = 29
)

// Kind is what a card asks of the players.
type Kind string

// Card kinds.
const (
	Question   Kind = "question"   // answered aloud or typed
	Story      Kind = "story"      // a scene that ends in choices, or an ending
	Reflection Kind = "reflection" // a 0–10 rating in a life area
	Wildcard   Kind = "wildcard"   // a free task: tell, show, imagine
	Blank      Kind = "blank"      // a player writes the question during play
	Help       Kind = "help"       // a help service, shown in the summary
)

// Kinds lists every card kind, for validation and tests.
var Kinds = []Kind{Question, Story, Reflection, Wildcard, Blank, Help}

// What each kind asks of a card and of the players is answered by the
// methods below, so that the rules, the checker, the bots and the screens
// never compare kinds themselves: a new kind is added here and in Kinds, and
// then wherever a method's answer is not enough.

// Played reports whether cards of the kind are dealt onto the table. Help
// cards never are: they are shown in the summary.
func (k Kind) Played() bool { return k != Help }

// InStory reports whether a card of the kind is a scene of a story: it ends
// in choices that lead to the next scene, or it ends the story.
func (k Kind) InStory() bool { return k == Story }

// Rated reports whether the players answer with a rating on the card's scale,
// in one of the life areas.
func (k Kind) Rated() bool { return k == Reflection }

// Written reports whether a player writes the card's question during play.
func (k Kind) Written() bool { return k == Blank }

// Service reports whether a card of the kind is a help service, with a way
// to reach it.
func (k Kind) Service() bool { return k == Help }

// DefaultAnswerer is who answers a card of the kind that does not say:
// questions and small tasks go round the table in turns; a young person
// makes a story's choices and rates their own life.
func (k Kind) DefaultAnswerer() Answerer {
	switch k {
	case Question, Wildcard, Blank:
		return Turn
	}
	return Youth
}

// DeckKind says how a deck is played.
type DeckKind string

// Deck kinds.
const (
	Questions   DeckKind = "questions"  // cards in order or shuffled, one after another
	StoryDeck   DeckKind = "story"      // scenes follow the choices from Start to an ending
	Reflections DeckKind = "reflection" // life-area ratings, in order
	HelpDeck    DeckKind = "help"       // help services, never played, shown at the end
)

// DeckKinds lists every deck kind.
var DeckKinds = []DeckKind{Questions, StoryDeck, Reflections, HelpDeck}

// CardKind is the kind of a card in a deck of kind d that does not say its own.
func (d DeckKind) CardKind() Kind {
	switch d {
	case Questions:
		return Question
	case StoryDeck:
		return Story
	case Reflections:
		return Reflection
	case HelpDeck:
		return Help
	}
	return ""
}

// Allows reports whether a deck of kind d may hold cards of kind k: a story
// holds only its scenes and a help deck only services; question and
// reflection decks mix the kinds that are played one after another.
func (d DeckKind) Allows(k Kind) bool {
	switch d {
	case StoryDeck, HelpDeck:
		return k == d.CardKind()
	case Questions, Reflections:
		return k.Played() && !k.InStory() && slices.Contains(Kinds, k)
	}
	return false
}

// Played reports whether a deck of kind d can be chosen for a game; a help
// deck is shown in every summary instead.
func (d DeckKind) Played() bool { return d != HelpDeck }

// Branching reports whether a deck of kind d is a story, played from its
// start along the players' choices rather than card after card.
func (d DeckKind) Branching() bool { return d == StoryDeck }

// Shuffles reports whether a deck of kind d may be shuffled: questions may,
// while a story follows its choices and reflections go in order.
func (d DeckKind) Shuffles() bool { return d == Questions }

// Answerer says who answers a card.
type Answerer string

// Who answers.
const (
	Youth  Answerer = "youth"  // the player seat(s)
	Worker Answerer = "worker" // the host
	Both   Answerer = "both"   // host and players
	Turn   Answerer = "turn"   // whoever's turn it is; turns go round the table
)

// Answerers lists every answerer.
var Answerers = []Answerer{Youth, Worker, Both, Turn}

// Tags are content tags: a host can leave out every card carrying one of them.
// The list is closed so that a typo in a deck file is caught by the validator.
var Tags = []string{
	"substance-use", "violence", "self-harm", "debt", "homelessness",
	"loneliness", "family-conflict", "mental-health", "bullying", "grief",
}

// LifeAreas are the ten areas of the 3X10D life-situation meter; a
// reflection card's theme is one of them.
var LifeAreas = []string{
	"health", "difficulties", "housing", "daily-life", "family",
	"friends", "finances", "strengths", "self-esteem", "life-as-whole",
}

// Text is a text in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to Finnish and then to any
// language, so a card never shows up empty.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t[DefaultLanguage]; ok && s != "" {
		return s
	}
	for _, l := range Languages {
		if s := t[l]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same answer every time
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Choice is one option at the end of a story scene.
type Choice struct {
	Text Text   `msgpack:"t"`
	Next string `msgpack:"n,omitempty"` // the next scene's id (an ending is a scene without choices)
}

// Scale is the range of a reflection card, with words for its ends.
type Scale struct {
	Min  int  `msgpack:"a"`
	Max  int  `msgpack:"b"`
	Low  Text `msgpack:"l,omitempty"`
	High Text `msgpack:"h,omitempty"`
}

// Contact is how to reach a help service.
type Contact struct {
	Phone string `msgpack:"p,omitempty"`
	URL   string `msgpack:"u,omitempty"`
	Hours Text   `msgpack:"o,omitempty"` // opening hours, in words
}

// Card is one card. Fields that do not apply to a card's kind stay empty.
type Card struct {
	ID       string   `msgpack:"id"`
	Kind     Kind     `msgpack:"k"`
	Theme    string   `msgpack:"th,omitempty"` // a theme, or a life area for reflections
	Answerer Answerer `msgpack:"a,omitempty"`
	Tags     []string `msgpack:"tg,omitempty"`
	Part     int      `msgpack:"pt,omitempty"` // cards are shuffled within their part, parts in order; 0 is the first
	Title    Text     `msgpack:"ti,omitempty"` // a short heading (story scenes, help services)
	Text     Text     `msgpack:"t"`
	Prompt   Text     `msgpack:"p,omitempty"` // a discussion prompt that turns the card back to the players
	Note     Text     `msgpack:"n,omitempty"` // the worker note: for the host only
	Choices  []Choice `msgpack:"c,omitempty"`
	Scale    *Scale   `msgpack:"s,omitempty"`
	Contact  *Contact `msgpack:"ct,omitempty"`
}

// IsScene reports whether the card is a story scene that ends in choices.
func (c *Card) IsScene() bool { return c.Kind.InStory() && len(c.Choices) > 0 }

// Ending reports whether a story card ends its story.
func (c *Card) Ending() bool { return c.Kind.InStory() && len(c.Choices) == 0 }

// InPart is the part of its deck the card is in, 1 for the first.
func (c *Card) InPart() int { return max(c.Part, 1) }

// Answers is who answers the card: its own answerer, or its kind's default.
func (c *Card) Answers() Answerer {
	if c.Answerer != "" {
		return c.Answerer
	}
	return c.Kind.DefaultAnswerer()
}

// HasAnyTag reports whether the card carries one of tags.
func (c *Card) HasAnyTag(tags []string) bool {
	for _, t := range c.Tags {
		if slices.Contains(tags, t) {
			return true
		}
	}
	return false
}

// Deck is a set of cards with what a host needs to choose it.
type Deck struct {
	ID          string   `msgpack:"id"`
	Kind        DeckKind `msgpack:"k"`
	Title       Text     `msgpack:"ti"`
	Description Text     `msgpack:"d,omitempty"`
	Languages   []string `msgpack:"l,omitempty"`
	MinAge      int      `msgpack:"ag,omitempty"`
	Minutes     int      `msgpack:"m,omitempty"`
	Tags        []string `msgpack:"tg,omitempty"` // every tag its cards carry, and the deck's own
	Shuffle     bool     `msgpack:"sh,omitempty"` // shuffle the cards within their parts, keeping the first and last in place
	Start       string   `msgpack:"st,omitempty"` // a story deck's first scene
	Cards       []Card   `msgpack:"c"`
}

// Card returns the card with id, or nil.
func (d *Deck) Card(id string) *Card {
	for i := range d.Cards {
		if d.Cards[i].ID == id {
			return &d.Cards[i]
		}
	}
	return nil
}

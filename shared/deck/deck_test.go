package deck

import "testing"

// TestKinds pins down what each card kind asks of a card, as the rules, the
// checker and the clients read it.
func TestKinds(t *testing.T) {
	tests := []struct {
		kind                                     Kind
		played, inStory, rated, written, service bool
		answerer                                 Answerer
	}{
		{Question, true, false, false, false, false, Turn},
		{Story, true, true, false, false, false, Youth},
		{Reflection, true, false, true, false, false, Youth},
		{Wildcard, true, false, false, false, false, Turn},
		{Blank, true, false, false, true, false, Turn},
		{Help, false, false, false, false, true, Youth},
	}
	if len(tests) != len(Kinds) {
		t.Fatalf("%d kinds tested, %d kinds exist", len(tests), len(Kinds))
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			k := tt.kind
			got := [5]bool{k.Played(), k.InStory(), k.Rated(), k.Written(), k.Service()}
			want := [5]bool{tt.played, tt.inStory, tt.rated, tt.written, tt.service}
			if got != want {
				t.Errorf("played, in story, rated, written, service = %v, want %v", got, want)
			}
			if a := k.DefaultAnswerer(); a != tt.answerer {
				t.Errorf("default answerer %q, want %q", a, tt.answerer)
			}
		})
	}
}

func TestDeckKinds(t *testing.T) {
	tests := []struct {
		deck                        DeckKind
		card                        Kind
		allows                      []Kind
		played, branching, shuffles bool
	}{
		{Questions, Question, []Kind{Question, Reflection, Wildcard, Blank}, true, false, true},
		{StoryDeck, Story, []Kind{Story}, true, true, false},
		{Reflections, Reflection, []Kind{Question, Reflection, Wildcard, Blank}, true, false, false},
		{HelpDeck, Help, []Kind{Help}, false, false, false},
		{"puzzle", "", nil, true, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.deck), func(t *testing.T) {
			d := tt.deck
			if d.CardKind() != tt.card {
				t.Errorf("card kind %q, want %q", d.CardKind(), tt.card)
			}
			var allows []Kind
			for _, k := range append(Kinds, "puzzle") {
				if d.Allows(k) {
					allows = append(allows, k)
				}
			}
			if len(allows) != len(tt.allows) {
				t.Fatalf("allows %v, want %v", allows, tt.allows)
			}
			for i := range allows {
				if allows[i] != tt.allows[i] {
					t.Fatalf("allows %v, want %v", allows, tt.allows)
				}
			}
			if got, want := [3]bool{d.Played(), d.Branching(), d.Shuffles()}, [3]bool{tt.played, tt.branching, tt.shuffles}; got != want {
				t.Errorf("played, branching, shuffles = %v, want %v", got, want)
			}
		})
	}
}

func TestCardShape(t *testing.T) {
	scene := Card{Kind: Story, Choices: []Choice{{Next: "a"}, {Next: "b"}}}
	ending := Card{Kind: Story}
	own := Card{Kind: Reflection, Answerer: Both}
	tests := []struct {
		name          string
		card          Card
		scene, ending bool
		answers       Answerer
	}{
		{"a scene with choices", scene, true, false, Youth},
		{"an ending", ending, false, true, Youth},
		{"a question", Card{Kind: Question}, false, false, Turn},
		{"its own answerer", own, false, false, Both},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.card.IsScene() != tt.scene || tt.card.Ending() != tt.ending || tt.card.Answers() != tt.answers {
				t.Errorf("scene %v, ending %v, answers %q", tt.card.IsScene(), tt.card.Ending(), tt.card.Answers())
			}
		})
	}
}

package webclient

import (
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestTheDoorsTexts: the page carries the door's texts (main.js's openDoor)
// in every language the game ships with, Finnish first, none missing, and
// its nickname field takes no more than the rules do.
func TestTheDoorsTexts(t *testing.T) {
	c := built(t)
	page := string(readBody(t, get(t, c, "GET", "/")))
	m := regexp.MustCompile(`<form id="door" class="door" data-door="([^"]*)" hidden>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no door with its data")
	}
	var langs []doorLanguage
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &langs); err != nil {
		t.Fatalf("the door's data: %v", err)
	}
	var got []string
	for _, l := range langs {
		got = append(got, l.Lang)
		for _, k := range doorKeys {
			if l.Texts[k] == "" {
				t.Errorf("%s: the door has no %q", l.Lang, k)
			}
		}
	}
	if !slices.Equal(got, deck.Languages) {
		t.Errorf("the door's languages %v, want %v", got, deck.Languages)
	}
	if want := `maxlength="` + strconv.Itoa(rules.MaxNick) + `"`; !regexp.MustCompile(`<input id="door-nick"[^>]*` + want).MatchString(page) {
		t.Errorf("the door's nickname field lacks %s", want)
	}
}

package deckfile

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
)

// Lengths in runes, per language: what fits on a card on a phone.
const (
	maxText        = 400
	maxPrompt      = 200
	maxNote        = 600
	maxChoice      = 120
	maxTitle       = 80
	maxDescription = 600
	maxScaleWord   = 60
	maxHours       = 200
	maxTheme       = 48
	maxURL         = 300
	maxPart        = 9 // parts a deck can be dealt in
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,47}$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{0,29}$`)
)

// checker checks a decoded deck; ix gives the lines.
type checker struct {
	d        *deck.Deck
	ix       *index
	ps       Problems
	langs    []string       // the deck's languages that the game has, once each
	ids      map[string]int // the first card with each id
	csv      bool           // spreadsheets need no worker notes
	part     int            // the part of the last card that has one, and its line
	partLine int
}

func (c *checker) add(path, code string, args ...string) {
	c.ps = append(c.ps, Problem{Line: c.ix.at(path), Code: code, Args: args})
}

// check returns every problem with a decoded deck.
func check(d *deck.Deck, ix *index, csv bool) Problems {
	c := &checker{d: d, ix: ix, csv: csv, ids: map[string]int{}}
	c.deck()
	for k := range d.Cards {
		c.card(k)
	}
	if d.Kind.Branching() {
		c.story()
	}
	return c.ps
}

func (c *checker) deck() {
	d := c.d
	c.id("id", d.ID)
	switch {
	case d.Kind == "":
		if !c.ix.broken["kind"] {
			c.add("kind", CodeMissingKey, "kind")
		}
	case !slices.Contains(deck.DeckKinds, d.Kind):
		c.add("kind", CodeBadDeckKind, quote(string(d.Kind)), suggest(string(d.Kind), kindsAsStrings(deck.DeckKinds)), strings.Join(kindsAsStrings(deck.DeckKinds), ", "))
	}
	for i, l := range d.Languages {
		if !slices.Contains(deck.Languages, l) {
			c.add(item("languages", i), CodeBadLanguage, quote(l), suggest(l, deck.Languages))
		} else if !slices.Contains(c.langs, l) {
			c.langs = append(c.langs, l)
		}
	}
	if len(d.Languages) == 0 && !c.ix.broken["languages"] {
		c.add("languages", CodeMissingKey, "languages")
	}
	if d.MinAge > deck.OldestAge {
		c.add("min_age", CodeBadAge, strconv.Itoa(d.MinAge), strconv.Itoa(deck.YoungestAge), strconv.Itoa(deck.OldestAge))
	}
	c.texts("title", "title", d.Title, true, maxTitle)
	c.texts("description", "description", d.Description, false, maxDescription)
	c.tags("tags", d.Tags)
	known := slices.Contains(deck.DeckKinds, d.Kind)
	if d.Shuffle && known && !d.Kind.Shuffles() {
		c.add("shuffle", CodeNotForDeck, "shuffle", string(d.Kind))
	}
	if d.Start != "" && known && !d.Kind.Branching() {
		c.add("start", CodeNotForDeck, "start", string(d.Kind))
	}
	if len(d.Cards) == 0 && !c.ix.broken["cards"] {
		c.add("cards", CodeNoCards)
	}
}

// id checks a deck's or a card's id at path.
func (c *checker) id(path, id string) {
	switch {
	case c.ix.broken[path]:
	case id == "":
		c.add(path, CodeMissingKey, "id")
	case !idPattern.MatchString(id):
		c.add(path, CodeBadID, quote(id))
	}
}

// texts checks a text in every language of the deck: present if required
// (or if given at all, so that no translation is forgotten) and not too long.
func (c *checker) texts(path, name string, t deck.Text, required bool, max int) {
	if c.ix.broken[path] {
		return
	}
	given := false
	for _, s := range t {
		given = given || s != ""
	}
	if required && t == nil && !c.csv && !c.ix.has(path) && len(c.langs) > 0 {
		c.add(path, CodeMissingKey, name) // once, not once per language
		return
	}
	for _, l := range deck.Languages {
		lp := path + "." + l
		s := t[l]
		switch {
		case c.ix.broken[lp]:
		case s == "":
			if (required || given) && slices.Contains(c.langs, l) {
				c.add(lp, CodeMissingText, name, l)
			}
		case runes(s) > max:
			c.add(lp, CodeTooLong, name, l, strconv.Itoa(runes(s)), strconv.Itoa(max))
		}
	}
}

func (c *checker) tags(path string, tags []string) {
	for i, t := range tags {
		if !slices.Contains(deck.Tags, t) {
			c.add(item(path, i), CodeBadTag, quote(t), suggest(t, deck.Tags), strings.Join(deck.Tags, ", "))
		}
	}
}

func (c *checker) card(k int) {
	d, card := c.d, &c.d.Cards[k]
	p := item("cards", k)
	if c.ix.broken[p] {
		return
	}
	if empty(card) {
		// Said once, not once for each text it lacks in each language.
		c.add(p, CodeEmptyCard, quote(card.ID))
		return
	}
	c.id(p+".id", card.ID)
	if card.ID != "" {
		if first, dup := c.ids[card.ID]; dup {
			c.add(p+".id", CodeDupID, quote(card.ID), strconv.Itoa(c.ix.at(item("cards", first)+".id")))
		} else {
			c.ids[card.ID] = k
		}
	}
	kind := card.Kind
	known := slices.Contains(deck.Kinds, kind)
	fits := known // what a kind asks of a card is checked only where the kind belongs
	switch {
	case kind == "": // the deck's kind is unknown, and reported
	case !known:
		c.add(p+".kind", CodeBadKind, quote(string(kind)), suggest(string(kind), kindsAsStrings(deck.Kinds)), strings.Join(kindsAsStrings(deck.Kinds), ", "))
	case slices.Contains(deck.DeckKinds, d.Kind) && !d.Kind.Allows(kind):
		c.add(p+".kind", CodeKindMismatch, string(kind), string(d.Kind))
		fits = false
	}
	if a := card.Answerer; a != "" && !slices.Contains(deck.Answerers, a) {
		c.add(p+".answers", CodeBadAnswerer, quote(string(a)), suggest(string(a), kindsAsStrings(deck.Answerers)))
	}
	c.tags(p+".tags", card.Tags)
	c.inPart(p, card, known)
	switch {
	case fits && kind.Rated() && !slices.Contains(deck.LifeAreas, card.Theme) && !c.ix.broken[p+".theme"]:
		c.add(p+".theme", CodeBadTheme, quote(card.Theme), suggest(card.Theme, deck.LifeAreas), strings.Join(deck.LifeAreas, ", "))
	case runes(card.Theme) > maxTheme:
		c.add(p+".theme", CodeTooLong, "theme", "", strconv.Itoa(runes(card.Theme)), strconv.Itoa(maxTheme))
	}
	c.texts(p+".title", "title", card.Title, false, maxTitle)
	c.texts(p+".text", "text", card.Text, true, maxText)
	c.texts(p+".note", "note", card.Note, kind.Played() && !c.csv, maxNote)
	c.texts(p+".prompt", "prompt", card.Prompt, fits && kind.InStory(), maxPrompt)

	if card.Choices != nil {
		c.choices(p, card)
	}
	if s := card.Scale; s != nil {
		switch {
		case known && !kind.Rated():
			c.add(p+".scale", CodeNotForKind, "scale", string(kind))
		case s.Min < 0 || s.Min >= s.Max || s.Max > 10:
			c.add(p+".scale", CodeBadScale, strconv.Itoa(s.Min), strconv.Itoa(s.Max))
		}
		c.texts(p+".scale.low", "low", s.Low, false, maxScaleWord)
		c.texts(p+".scale.high", "high", s.High, false, maxScaleWord)
	}
	c.contact(p, card, known, fits)
}

// inPart checks a card's part: only cards dealt one after another have
// parts, and a deck's parts come in order, so that its file reads as it is
// dealt (light first, deeper later).
func (c *checker) inPart(p string, card *deck.Card, known bool) {
	if !known || c.ix.broken[p+".part"] {
		return
	}
	if !card.Kind.Played() || card.Kind.InStory() {
		if card.Part != 0 {
			c.add(p+".part", CodeNotForKind, "part", string(card.Kind))
		}
		return
	}
	at := c.ix.at(p + ".part")
	if card.InPart() < c.part {
		c.add(p+".part", CodePartOrder, strconv.Itoa(card.InPart()), strconv.Itoa(c.part), strconv.Itoa(c.partLine))
		return
	}
	c.part, c.partLine = card.InPart(), at
}

// empty reports whether a card has nothing to read: no text of any kind in
// any language, and no choices, contact or scale of its own.
func empty(card *deck.Card) bool {
	for _, t := range []deck.Text{card.Text, card.Title, card.Prompt, card.Note} {
		for _, s := range t {
			if s != "" {
				return false
			}
		}
	}
	sc := card.Scale
	plain := sc == nil || sc.Min == 0 && sc.Max == 10 && len(sc.Low) == 0 && len(sc.High) == 0 // a reflection's default
	return card.Choices == nil && plain && card.Contact == nil
}

func (c *checker) choices(p string, card *deck.Card) {
	if slices.Contains(deck.Kinds, card.Kind) && !card.Kind.InStory() {
		c.add(p+".choices", CodeNotForKind, "choices", string(card.Kind))
		return
	}
	if n := len(card.Choices); n == 1 || n > 3 {
		c.add(p+".choices", CodeChoicesCount, strconv.Itoa(n))
	}
	for j, ch := range card.Choices {
		cp := item(p+".choices", j)
		if c.ix.broken[cp] {
			continue
		}
		c.texts(cp+".text", "text", ch.Text, true, maxChoice)
		if ch.Next == "" && !c.ix.broken[cp+".next"] {
			c.add(cp+".next", CodeMissingKey, "next")
		}
	}
}

func (c *checker) contact(p string, card *deck.Card, known, fits bool) {
	ct := card.Contact
	if ct != nil && known && !card.Kind.Service() {
		c.add(p+".contact", CodeNotForKind, "contact", string(card.Kind))
		return
	}
	if fits && card.Kind.Service() && (ct == nil || ct.Phone == "" && ct.URL == "") && !c.ix.broken[p+".contact"] {
		c.add(p+".contact", CodeNoContact)
	}
	if ct == nil {
		return
	}
	if ct.Phone != "" && !phonePattern.MatchString(ct.Phone) {
		c.add(p+".contact.phone", CodeBadPhone, quote(ct.Phone))
	}
	if ct.URL != "" {
		u, err := url.Parse(ct.URL)
		switch {
		case runes(ct.URL) > maxURL:
			c.add(p+".contact.url", CodeTooLong, "url", "", strconv.Itoa(runes(ct.URL)), strconv.Itoa(maxURL))
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			c.add(p+".contact.url", CodeBadURL, quote(ct.URL))
		}
	}
	c.texts(p+".contact.hours", "hours", ct.Hours, false, maxHours)
}

// story checks that a story can be played from its start to an ending: every
// choice leads to a scene, every scene can be reached, and from every scene
// reached some ending can be reached (a loop is fine if it has a way out).
func (c *checker) story() {
	d := c.d
	byID := map[string]int{} // the first card of each id; a repeat is reported already
	var ids []string
	for k, card := range d.Cards {
		if _, dup := byID[card.ID]; !dup && card.ID != "" && !c.ix.broken[item("cards", k)] {
			byID[card.ID] = k
			ids = append(ids, card.ID)
		}
	}
	start, hasStart := byID[d.Start]
	switch {
	case d.Start == "" && !c.ix.broken["start"]:
		c.add("start", CodeNoStart)
	case d.Start != "" && !hasStart:
		c.add("start", CodeNoStart, quote(d.Start), suggest(d.Start, ids))
	}
	first := ""
	if len(c.langs) > 0 {
		first = c.langs[0]
	}
	n := len(d.Cards)
	next := make([][]int, n)
	endings := 0
	for _, id := range ids {
		k := byID[id]
		card := &d.Cards[k]
		if len(card.Choices) == 0 {
			endings++
		}
		for j, ch := range card.Choices {
			if ch.Next == "" {
				continue
			}
			t, ok := byID[ch.Next]
			if !ok {
				cp := item(item("cards", k)+".choices", j)
				c.add(cp+".next", CodeNoSuchCard, quote(ch.Text.In(first)), quote(ch.Next), suggest(ch.Next, ids))
				continue
			}
			next[k] = append(next[k], t)
		}
	}
	if len(byID) == 0 {
		return
	}
	if endings == 0 {
		c.add("cards", CodeNoEnding)
	}

	// Which scenes the start reaches; without a start, look at them all.
	reached := make([]bool, n)
	if hasStart {
		queue := []int{start}
		reached[start] = true
		for len(queue) > 0 {
			k := queue[0]
			queue = queue[1:]
			for _, t := range next[k] {
				if !reached[t] {
					reached[t] = true
					queue = append(queue, t)
				}
			}
		}
		for _, id := range ids {
			if k := byID[id]; !reached[k] {
				c.add(item("cards", k), CodeUnreachable, quote(id), quote(d.Start))
			}
		}
	} else {
		for _, id := range ids {
			reached[byID[id]] = true
		}
	}

	// Which scenes can still reach an ending: walk the choices backwards.
	prev := make([][]int, n)
	for k := range next {
		for _, t := range next[k] {
			prev[t] = append(prev[t], k)
		}
	}
	ends := make([]bool, n)
	var queue []int
	for _, id := range ids {
		if k := byID[id]; len(d.Cards[k].Choices) == 0 {
			ends[k] = true
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, f := range prev[k] {
			if !ends[f] {
				ends[f] = true
				queue = append(queue, f)
			}
		}
	}

	// A scene reached that cannot reach an ending leads only to others like
	// it. Report where those paths get stuck: each group of scenes that lead
	// only to each other (a loop without exit), or a single scene whose every
	// choice is broken (a dead end). The scenes leading into them are fine
	// once those are fixed.
	stuck := func(k int) bool { return reached[k] && !ends[k] }
	for _, group := range components(n, next, stuck) {
		sink := true
		for _, k := range group {
			for _, t := range next[k] {
				sink = sink && slices.Contains(group, t)
			}
		}
		if !sink {
			continue
		}
		slices.Sort(group) // file order
		loop := len(group) > 1 || slices.Contains(next[group[0]], group[0])
		if !loop {
			c.add(item("cards", group[0]), CodeDeadEnd, quote(d.Cards[group[0]].ID))
			continue
		}
		names := make([]string, len(group))
		for i, k := range group {
			names[i] = quote(d.Cards[k].ID)
		}
		if len(names) > 6 {
			names = append(names[:5], "…")
		}
		c.add(item("cards", group[0]), CodeLoop, names...)
	}
}

// components returns the strongly connected components of the graph next,
// restricted to the nodes where keep is true (Tarjan's algorithm, without
// recursion so that a long chain of scenes cannot grow the stack).
func components(n int, next [][]int, keep func(int) bool) [][]int {
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var out [][]int
	var comp []int
	counter := 0
	type frame struct{ v, i int }
	for root := range n {
		if !keep(root) || index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = counter, counter
		counter++
		comp = append(comp, root)
		on[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(next[f.v]) {
				w := next[f.v][f.i]
				f.i++
				if !keep(w) {
					continue
				}
				if index[w] < 0 {
					index[w], low[w] = counter, counter
					counter++
					comp = append(comp, w)
					on[w] = true
					call = append(call, frame{w, 0})
				} else if on[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				var group []int
				for {
					w := comp[len(comp)-1]
					comp = comp[:len(comp)-1]
					on[w] = false
					group = append(group, w)
					if w == v {
						break
					}
				}
				out = append(out, group)
			}
		}
	}
	return out
}

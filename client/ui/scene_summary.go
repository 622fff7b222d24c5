package ui

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pore/elamanipeli/shared/rules"
)

// summaryScene is the game's end: the cards played, the bookmarked ones
// first, and where to find help.
type summaryScene struct{}

func (summaryScene) name() string { return "summary" }

func (summaryScene) build(g *Game, f *Frame) {
	st := g.state()
	v := &st.View
	sum := v.Summary
	if sum == nil {
		return
	}
	t := g.t
	x, w := g.page(760)
	var bar barButton
	if v.Role == rules.Host {
		bar = barButton{"close", t.S("summary.close"), Primary, st.Legal.Has(rules.ActClose), func() { g.act(rules.Action{Kind: rules.ActClose}) }}
	} else {
		bar = barButton{"leave", t.S("summary.leave"), Primary, true, g.leave}
	}
	barTop := g.actionBar(f, []barButton{bar}, 1, "")
	g.scrolled(f, Rect{0, 0, g.w, barTop}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(16)
		c.Text(t.S("summary.title"), Style{Size: SizeHuge, Bold: true, Color: g.th.Ink})
		c.Text(t.S("summary.intro"), Style{Size: SizeBody, Color: g.th.Muted})

		var marked []rules.SummaryStep
		for _, s := range sum.Steps {
			if s.Bookmarked {
				marked = append(marked, s)
			}
		}
		if len(marked) > 0 {
			c.Text(t.S("summary.bookmarks"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
			for _, s := range marked {
				g.summaryStep(f, c, s)
			}
		}
		c.Text(t.S("summary.path"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		if len(sum.Steps) == 0 {
			c.Text(t.S("summary.no-cards"), Style{Size: SizeBody, Color: g.th.Muted})
		}
		for _, s := range sum.Steps {
			g.summaryStep(f, c, s)
		}

		c.Text(t.S("summary.help"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		c.Text(t.S("summary.help-intro"), Style{Size: SizeBody, Color: g.th.Muted})
		for i, h := range sum.Help {
			lines := []string{h.Text}
			if h.Phone != "" {
				lines = append(lines, t.S("summary.phone", h.Phone))
			}
			if h.Hours != "" {
				lines = append(lines, h.Hours)
			}
			body := strings.Join(lines, "\n")
			hh := f.TextHeight(h.Title, Style{Size: SizeCard, Bold: true}, w-48) + f.TextHeight(body, Style{Size: SizeBody}, w-48) + 40
			r := c.Take(hh)
			f.Shadowed(r, 14)
			th := f.Text(Rect{r.X + 24, r.Y + 16, r.W - 48, 0}, h.Title, Style{Size: SizeCard, Bold: true, Color: g.th.Ink})
			f.Text(Rect{r.X + 24, r.Y + 24 + th, r.W - 48, 0}, body, Style{Size: SizeBody, Color: g.th.Ink})
			for j, n := range phones(h.Phone, h.Text) {
				c.Button("call-"+strconv.Itoa(i)+"-"+strconv.Itoa(j), t.S("summary.call", n), Secondary, true, func() { g.p.Open(telURL(n)) })
			}
			if h.URL != "" {
				url := h.URL
				c.Button("help-"+strconv.Itoa(i), t.S("summary.open", strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "www.")), Link, true, func() { g.p.Open(url) })
			}
		}
		if v.Role == rules.Host {
			c.Text(t.S("summary.save-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
			c.Button("save", t.S("summary.save"), Secondary, true, func() {
				if where := g.p.Save(g.summaryFile(), g.summaryText(v)); where != "" {
					g.toast(t.S("summary.saved", where))
				}
			})
		}
	})
	f.Announce(t.S("summary.announce", len(sum.Steps)))
}

func (g *Game) summaryStep(f *Frame, c *Column, s rules.SummaryStep) {
	head := g.t.S("kind." + string(s.Kind))
	if s.Deck != "" {
		head = s.Deck + " · " + head
	}
	body := s.Text
	if s.Title != "" {
		body = s.Title + ": " + body
	}
	var extra []string
	if s.Choice != "" {
		extra = append(extra, g.t.S("summary.chose", s.Choice))
	}
	for _, r := range s.Ratings {
		extra = append(extra, g.t.S("summary.rated", r))
	}
	if s.Kind.InStory() && s.Title != "" {
		body = s.Title
	}
	detail := strings.Join(append([]string{body}, extra...), "\n")
	h := f.TextHeight(head, Style{Size: SizeSmall, Bold: true}, c.W-32) + f.TextHeight(detail, Style{Size: SizeBody}, c.W-32) + 28
	r := c.Take(h)
	f.Box(r, g.th.Card, g.th.Edge, 12, 1)
	hh := f.Text(Rect{r.X + 16, r.Y + 12, r.W - 32, 0}, head, Style{Size: SizeSmall, Bold: true, Color: g.th.Muted})
	f.Text(Rect{r.X + 16, r.Y + 16 + hh, r.W - 32, 0}, detail, Style{Size: SizeBody, Color: g.th.Ink})
}

func (g *Game) summaryFile() string {
	return "elamani-peli-" + g.now().Format("2006-01-02") + ".txt"
}

// summaryText is the summary as plain text, to keep on the host's device.
// Typed answers are not in it.
func (g *Game) summaryText(v *rules.View) string {
	t := g.t
	var b strings.Builder
	b.WriteString(t.S("app.title") + " — " + t.S("summary.title") + "\n" + g.now().Format(time.DateOnly) + "\n\n")
	write := func(title string, steps []rules.SummaryStep) {
		if len(steps) == 0 {
			return
		}
		b.WriteString(title + "\n")
		for i, s := range steps {
			line := strconv.Itoa(i+1) + ". "
			if s.Title != "" {
				line += s.Title + ": "
			}
			line += s.Text
			if s.Choice != "" {
				line += "\n   " + t.S("summary.chose", s.Choice)
			}
			for _, r := range s.Ratings {
				line += "\n   " + t.S("summary.rated", r)
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	var marked []rules.SummaryStep
	for _, s := range v.Summary.Steps {
		if s.Bookmarked {
			marked = append(marked, s)
		}
	}
	write(t.S("summary.bookmarks"), marked)
	write(t.S("summary.path"), v.Summary.Steps)
	b.WriteString(t.S("summary.help") + "\n")
	for _, h := range v.Summary.Help {
		b.WriteString("- " + h.Title)
		if h.Phone != "" {
			b.WriteString(", " + h.Phone)
		}
		if h.URL != "" {
			b.WriteString(", " + h.URL)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// phoneInText finds Finnish phone numbers written in a help service's text,
// such as the Swedish-language crisis line the Swedish text names
// ("09 2525 0112"): an area or mobile prefix, then groups of digits.
var phoneInText = regexp.MustCompile(`\b0\d{1,2}(?: \d{2,4}){2,3}\b|\b0\d{5,11}\b`)

// phones are the numbers a help service can be called at: its own, then
// any other its text names in the reader's language.
func phones(phone, text string) []string {
	var out []string
	if phone != "" {
		out = append(out, phone)
	}
	for _, n := range phoneInText.FindAllString(text, -1) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// telURL is a tel: link to number, digits and a leading + only.
func telURL(number string) string {
	var b strings.Builder
	for i, r := range number {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return "tel:" + b.String()
}

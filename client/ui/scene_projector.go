package ui

import (
	"strconv"

	"github.com/pore/elamanipeli/shared/rules"
)

// projectorChoices shows a story scene's choices on a projector: large
// enough to read from the back of the room, and nothing to press. The
// chosen one stands out once it is chosen.
func (g *Game) projectorChoices(f *Frame, c *Column, step *rules.StepView, size float64) {
	card := &step.Card
	th := g.th
	for i, ch := range card.Choices {
		label := strconv.Itoa(i+1) + ". " + ch
		chosen := step.Choice == i
		st := Style{Size: SizeCard * size * 0.85, Color: th.Ink}
		fill, edge := th.Card, th.Edge
		if chosen {
			st.Bold, st.Color = true, th.OnInk
			fill, edge = th.On, th.On
		}
		r := c.Take(f.TextHeight(label, st, c.W-48) + 32)
		f.Box(r, fill, edge, 14, 1.5)
		f.Text(Rect{r.X + 24, r.Y + 16, r.W - 48, 0}, label, st)
	}
	if step.Choice >= 0 && card.Prompt != "" {
		c.Text(card.Prompt, Style{Size: SizeCard * size, Bold: true, Color: th.Ink})
	}
}

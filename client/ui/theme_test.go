package ui

import "testing"

func TestThemesMeetWCAGAA(t *testing.T) {
	for _, th := range []*Theme{&Calm, &HighContrast} {
		for name, pair := range th.TextPairs() {
			if c := Contrast(pair[0], pair[1]); c < 4.5 {
				t.Errorf("%s theme, %s: contrast %.2f:1, below 4.5:1", th.Name, name, c)
			} else {
				t.Logf("%s theme, %s: %.2f:1", th.Name, name, c)
			}
		}
		// The focus ring must stand out from the page (WCAG 2.2 non-text, 3:1).
		if c := Contrast(th.Focus, th.Bg); c < 3 {
			t.Errorf("%s theme: focus ring contrast %.2f:1, below 3:1", th.Name, c)
		}
	}
}

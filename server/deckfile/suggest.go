package deckfile

import "strings"

// synonyms are words a trainer may well write for a key, in Finnish, Swedish
// or plain English, mapped to the key the format uses.
var synonyms = map[string]string{
	"teksti": "text", "kysymys": "text", "question": "text", "fråga": "text",
	"otsikko": "title", "nimi": "title", "name": "title", "titel": "title", "rubrik": "title", "namn": "title",
	"kuvaus": "description", "beskrivning": "description",
	"kieli": "languages", "kielet": "languages", "språk": "languages", "lang": "languages",
	"kortit": "cards", "kort": "cards",
	"muistiinpano": "note", "huomio": "note", "ohje": "note", "ohjaajalle": "note", "anteckning": "note", "worker_note": "note",
	"valinnat": "choices", "vaihtoehdot": "choices", "options": "choices", "val": "choices", "alternativ": "choices",
	"seuraava": "next", "nästa": "next", "goto": "next",
	"tunnus": "id", "laji": "kind", "tyyppi": "kind", "type": "kind", "typ": "kind",
	"teema": "theme", "aihe": "theme", "topic": "theme", "category": "theme", "tema": "theme", "area": "theme",
	"vastaaja": "answers", "answerer": "answers", "svarare": "answers", "who": "answers",
	"tagit": "tags", "tunnisteet": "tags", "taggar": "tags",
	"sekoita": "shuffle", "blanda": "shuffle", "alku": "start", "first": "start",
	"ikä": "min_age", "age": "min_age", "minuutit": "minutes", "minuter": "minutes", "duration": "minutes",
	"puhelin": "phone", "telefon": "phone", "tel": "phone", "linkki": "url", "link": "url", "web": "url",
	"aukioloajat": "hours", "öppettider": "hours", "open": "hours",
	"asteikko": "scale", "skala": "scale", "yhteystiedot": "contact", "kontakt": "contact",
}

// suggest returns the option closest to word, or "" when none is close
// enough to be worth a "did you mean".
func suggest(word string, options []string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if s, ok := synonyms[w]; ok {
		for _, o := range options {
			if o == s {
				return o
			}
		}
	}
	best, bestD := "", 0
	for _, o := range options {
		if o == word {
			continue
		}
		d := distance(w, strings.ToLower(o))
		if best == "" || d < bestD {
			best, bestD = o, d
		}
	}
	limit := min(3, max(1, len([]rune(w))/3))
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// distance is the edit distance between a and b in runes, counting a swap of
// two neighbours as one edit ("yuoth" is one from "youth"). Words here are
// short: suggest never sees more than a key or a value.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	rows := [3][]int{make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)}
	for j := range rows[1] {
		rows[1][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		pp, prev, cur := rows[(i+2)%3], rows[i%3], rows[(i+1)%3]
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
	}
	return rows[(len(ra)+1)%3][len(rb)]
}

// kindsAsStrings turns a closed list of kinds into strings for suggest.
func kindsAsStrings[T ~string](ks []T) []string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return s
}

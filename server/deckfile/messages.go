package deckfile

import (
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
)

// texts is one code's message in each language.
type texts struct{ fi, sv, en func(args) string }

// args reads a problem's arguments; a missing one reads as empty, so a
// message never panics whatever a caller put in a Problem.
type args struct {
	list []string
	code string
}

func (a args) s(i int) string {
	if i < 0 || i >= len(a.list) {
		return ""
	}
	return a.list[i]
}

// q quotes argument i; q(-1) quotes them all.
func (a args) q(i int) string {
	if i >= 0 {
		return "'" + a.s(i) + "'"
	}
	if len(a.list) == 0 {
		return a.code
	}
	return a.code + " '" + strings.Join(a.list, "', '") + "'"
}

// mean adds "did you mean" when argument i holds a suggestion.
func (a args) mean(i int, lang string) string {
	s := a.s(i)
	if s == "" {
		return ""
	}
	switch lang {
	case "fi":
		return " – tarkoititko '" + s + "'?"
	case "sv":
		return " – menade du '" + s + "'?"
	}
	return " — did you mean '" + s + "'?"
}

// or is mean when argument i holds a suggestion, and otherwise list, the
// choices there are.
func (a args) or(i int, lang, list string) string {
	if a.s(i) != "" {
		return a.mean(i, lang)
	}
	return list
}

// from lists arguments i… quoted, joined with the language's "and".
func (a args) from(i int, and string) string {
	var items []string
	for ; i < len(a.list); i++ {
		items = append(items, "'"+a.list[i]+"'")
	}
	return andList(items, and)
}

func andList(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

func joinKinds[T ~string](ks []T) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// inLang names a language as it reads after "in": "in Swedish (sv)".
func inLang(ui, code string) string {
	names := map[string]map[string]string{
		"fi": {"fi": "suomeksi", "sv": "ruotsiksi", "en": "englanniksi"},
		"sv": {"fi": "på finska", "sv": "på svenska", "en": "på engelska"},
		"en": {"fi": "in Finnish", "sv": "in Swedish", "en": "in English"},
	}
	if n, ok := names[ui][code]; ok {
		return n + " (" + code + ")"
	}
	switch ui {
	case "fi":
		return "kielellä '" + code + "'"
	case "sv":
		return "på språket '" + code + "'"
	}
	return "in '" + code + "'"
}

// wants are the shapes a value can have, for CodeBadType.
var wants = map[string]map[string]string{
	"text":   {"fi": "teksti", "sv": "en text", "en": "a text"},
	"texts":  {"fi": "teksti kullakin kielellä, esimerkiksi fi: …", "sv": "en text per språk, till exempel fi: …", "en": "one text per language, like fi: …"},
	"number": {"fi": "kokonaisluku 0–999", "sv": "ett heltal 0–999", "en": "a whole number from 0 to 999"},
	"yes-no": {"fi": "true tai false", "sv": "true eller false", "en": "true or false"},
	"list":   {"fi": "luettelo, esimerkiksi [a, b]", "sv": "en lista, till exempel [a, b]", "en": "a list, like [a, b]"},
	"keys":   {"fi": "joukko avaimia sen alla olevilla riveillä", "sv": "en grupp nycklar på raderna under", "en": "a group of keys on the lines below it"},
	"card":   {"fi": "luettelo kortteja, joista jokaisella on avaimia kuten 'id:', 'text:' ja 'note:'", "sv": "en lista med kort, vart och ett med nycklar som 'id:', 'text:' och 'note:'", "en": "a list of cards, each with keys such as 'id:', 'text:' and 'note:'"},
	"choice": {"fi": "luettelo valintoja, joista jokaisella on 'text:' ja 'next:'", "sv": "en lista med val, vart och ett med 'text:' och 'next:'", "en": "a list of choices, each with 'text:' and 'next:'"},
	"items":  {"fi": "luettelo, jonka jokainen kohta alkaa '- '", "sv": "en lista där varje punkt börjar med '- '", "en": "a list of items, each starting with '- '"},
}

func want(a args, lang string) string {
	if w, ok := wants[a.s(1)][lang]; ok {
		return w
	}
	return a.s(1)
}

var messages = map[string]texts{
	CodeTooLarge: {
		fi: func(a args) string {
			return "tiedosto on " + a.s(0) + " tavua; pakkatiedosto saa olla enintään " + a.s(1) + " tavua (256 KiB)"
		},
		sv: func(a args) string {
			return "filen är " + a.s(0) + " byte; en kortleksfil får vara högst " + a.s(1) + " byte (256 KiB)"
		},
		en: func(a args) string {
			return "the file is " + a.s(0) + " bytes; a deck file may be at most " + a.s(1) + " bytes (256 KiB)"
		},
	},
	CodeNotUTF8: {
		fi: func(a args) string {
			return "tiedosto ei ole UTF-8-tekstiä; tallenna se UTF-8-muodossa (taulukkolaskennassa \"CSV UTF-8\")"
		},
		sv: func(a args) string {
			return "filen är inte UTF-8-text; spara den som UTF-8 (i ett kalkylprogram \"CSV UTF-8\")"
		},
		en: func(a args) string {
			return "the file is not UTF-8 text; save it as UTF-8 (in a spreadsheet, \"CSV UTF-8\")"
		},
	},
	CodeSyntax: {
		fi: func(a args) string { return a.s(0) + "-muoto ei kelpaa: " + a.s(1) },
		sv: func(a args) string { return "felaktig " + a.s(0) + ": " + a.s(1) },
		en: func(a args) string { return "this is not valid " + a.s(0) + ": " + a.s(1) },
	},
	CodeAlias: {
		fi: func(a args) string {
			return "viittaukset kuten '*" + a.s(0) + "' eivät käy pakkatiedostossa; kirjoita teksti kokonaan"
		},
		sv: func(a args) string {
			return "alias som '*" + a.s(0) + "' är inte tillåtna i en kortleksfil; skriv ut texten i sin helhet"
		},
		en: func(a args) string {
			return "aliases such as '*" + a.s(0) + "' are not allowed in a deck file; write the text out in full"
		},
	},
	CodeTooComplex: {
		fi: func(a args) string {
			if a.s(0) == "CSV" {
				return "tiedostossa on liian monta solua ollakseen pakka"
			}
			return "tiedosto on liian monitasoinen tai siinä on liian monta osaa ollakseen pakka; tarkista sisennykset"
		},
		sv: func(a args) string {
			if a.s(0) == "CSV" {
				return "filen har för många celler för att vara en kortlek"
			}
			return "filen är för djupt nästlad eller har för många delar för att vara en kortlek; kontrollera indraget"
		},
		en: func(a args) string {
			if a.s(0) == "CSV" {
				return "the file has too many cells to be a deck"
			}
			return "the file is nested too deeply or has too many parts to be a deck; check the indentation"
		},
	},
	CodeLongKey: {
		fi: func(a args) string {
			return a.q(0) + " on liian pitkä avaimeksi; jos se on tekstiä, jossa on ': ', laita koko teksti lainausmerkkeihin"
		},
		sv: func(a args) string {
			return a.q(0) + " är för lång för att vara en nyckel; om det är text med ': ' i, sätt hela texten inom citattecken"
		},
		en: func(a args) string {
			return a.q(0) + " is too long to be a key; if it is text with ': ' in it, put the whole text in quotes"
		},
	},
	CodeManyDocs: {
		fi: func(a args) string {
			return "pakkatiedostossa on yksi pakka; poista tämä '---'-rivi ja kaikki sen jälkeen"
		},
		sv: func(a args) string {
			return "en kortleksfil innehåller en kortlek; ta bort raden '---' och allt som följer"
		},
		en: func(a args) string { return "a deck file holds one deck; remove this '---' line and what follows it" },
	},
	CodeEmpty: {
		fi: func(a args) string { return "tiedosto on tyhjä" },
		sv: func(a args) string { return "filen är tom" },
		en: func(a args) string { return "the file is empty" },
	},
	CodeNotADeck: {
		fi: func(a args) string {
			return "tämä ei ole pakka: pakkatiedosto alkaa avaimilla kuten 'id:', 'kind:' ja 'title:'"
		},
		sv: func(a args) string {
			return "det här är ingen kortlek: en kortleksfil börjar med nycklar som 'id:', 'kind:' och 'title:'"
		},
		en: func(a args) string {
			return "this is not a deck: a deck file starts with keys such as 'id:', 'kind:' and 'title:'"
		},
	},
	CodeUnknownKey: {
		fi: func(a args) string {
			if a.s(1) == "" && a.s(2) != "" {
				return "tuntematon avain " + a.q(0) + "; tässä käyvät: " + a.s(2)
			}
			return "tuntematon avain " + a.q(0) + a.mean(1, "fi")
		},
		sv: func(a args) string {
			if a.s(1) == "" && a.s(2) != "" {
				return "okänd nyckel " + a.q(0) + "; här går: " + a.s(2)
			}
			return "okänd nyckel " + a.q(0) + a.mean(1, "sv")
		},
		en: func(a args) string {
			if a.s(1) == "" && a.s(2) != "" {
				return "unknown key " + a.q(0) + "; the keys here are: " + a.s(2)
			}
			return "unknown key " + a.q(0) + a.mean(1, "en")
		},
	},
	CodeDupKey: {
		fi: func(a args) string { return "avain " + a.q(0) + " on kahdesti; ensimmäinen on rivillä " + a.s(1) },
		sv: func(a args) string { return "nyckeln " + a.q(0) + " finns två gånger; den första på rad " + a.s(1) },
		en: func(a args) string { return a.q(0) + " appears twice; the first is on line " + a.s(1) },
	},
	CodeBadType: {
		fi: func(a args) string { return "kohdan " + a.q(0) + " pitää olla " + want(a, "fi") },
		sv: func(a args) string { return a.q(0) + " ska vara " + want(a, "sv") },
		en: func(a args) string { return a.q(0) + " should be " + want(a, "en") },
	},
	CodeMissingKey: {
		fi: func(a args) string { return a.q(0) + " puuttuu" },
		sv: func(a args) string { return a.q(0) + " saknas" },
		en: func(a args) string { return a.q(0) + " is missing" },
	},
	CodeMissingText: {
		fi: func(a args) string { return "kohtaan " + a.q(0) + " tarvitaan teksti " + inLang("fi", a.s(1)) },
		sv: func(a args) string { return a.q(0) + " behöver en text " + inLang("sv", a.s(1)) },
		en: func(a args) string { return a.q(0) + " needs a text " + inLang("en", a.s(1)) },
	},
	CodeBadID: {
		fi: func(a args) string {
			return a.q(0) + " ei kelpaa tunnukseksi: käytä enintään 48 pientä kirjainta a–z, numeroita ja viivoja, ja aloita kirjaimella tai numerolla"
		},
		sv: func(a args) string {
			return a.q(0) + " är inte ett giltigt id: använd högst 48 små bokstäver a–z, siffror och bindestreck, och börja med en bokstav eller siffra"
		},
		en: func(a args) string {
			return a.q(0) + " is not a valid id: use up to 48 lowercase letters a–z, digits and dashes, starting with a letter or a digit"
		},
	},
	CodeDupID: {
		fi: func(a args) string { return "kortin tunnus " + a.q(0) + " on jo käytössä rivillä " + a.s(1) },
		sv: func(a args) string { return "kort-id " + a.q(0) + " används redan på rad " + a.s(1) },
		en: func(a args) string { return "card id " + a.q(0) + " is already used on line " + a.s(1) },
	},
	CodeNoSuchCard: {
		fi: func(a args) string {
			return "valinta " + a.q(0) + " vie korttiin " + a.q(1) + ", jota ei ole" + a.mean(2, "fi")
		},
		sv: func(a args) string {
			return "valet " + a.q(0) + " leder till kortet " + a.q(1) + ", som inte finns" + a.mean(2, "sv")
		},
		en: func(a args) string {
			return "choice " + a.q(0) + " leads to card " + a.q(1) + ", which does not exist" + a.mean(2, "en")
		},
	},
	CodeUnreachable: {
		fi: func(a args) string { return "kohtaukseen " + a.q(0) + " ei pääse tarinan alusta " + a.q(1) },
		sv: func(a args) string {
			return "scenen " + a.q(0) + " går inte att nå från berättelsens start " + a.q(1)
		},
		en: func(a args) string { return "scene " + a.q(0) + " cannot be reached from the start " + a.q(1) },
	},
	CodeDeadEnd: {
		fi: func(a args) string {
			return "kohtaus " + a.q(0) + " ei vie minnekään: yksikään sen valinnoista ei vie olemassa olevaan kohtaukseen, joten tarina ei pääse loppuun"
		},
		sv: func(a args) string {
			return "scenen " + a.q(0) + " leder ingenstans: inget av dess val leder till en scen som finns, så berättelsen kan inte nå ett slut"
		},
		en: func(a args) string {
			return "scene " + a.q(0) + " leads nowhere: none of its choices leads to a scene that exists, so the story cannot reach an ending"
		},
	},
	CodeLoop: {
		fi: func(a args) string {
			if len(a.list) <= 1 {
				return "kohtaus " + a.q(0) + " vie vain takaisin itseensä, eikä siitä pääse mihinkään loppuun"
			}
			return "kohtaukset " + a.from(0, "ja") + " vievät vain toisiinsa, eikä kehästä pääse mihinkään loppuun"
		},
		sv: func(a args) string {
			if len(a.list) <= 1 {
				return "scenen " + a.q(0) + " leder bara tillbaka till sig själv, utan väg ut till ett slut"
			}
			return "scenerna " + a.from(0, "och") + " leder bara till varandra, utan väg ut till ett slut"
		},
		en: func(a args) string {
			if len(a.list) <= 1 {
				return "scene " + a.q(0) + " leads only back to itself, with no way out to an ending"
			}
			return "scenes " + a.from(0, "and") + " lead only to each other, with no way out to an ending"
		},
	},
	CodeNoEnding: {
		fi: func(a args) string {
			return "tarinalla ei ole loppua: tarvitaan ainakin yksi kohtaus ilman valintoja"
		},
		sv: func(a args) string { return "berättelsen har inget slut: minst en scen ska sakna val" },
		en: func(a args) string { return "the story has no ending: at least one scene must have no choices" },
	},
	CodeBadTag: {
		fi: func(a args) string {
			if a.s(1) != "" {
				return "tuntematon sisältötunniste " + a.q(0) + a.mean(1, "fi")
			}
			return "tuntematon sisältötunniste " + a.q(0) + "; tunnisteet ovat: " + strings.Join(deck.Tags, ", ")
		},
		sv: func(a args) string {
			if a.s(1) != "" {
				return "okänd innehållstagg " + a.q(0) + a.mean(1, "sv")
			}
			return "okänd innehållstagg " + a.q(0) + "; taggarna är: " + strings.Join(deck.Tags, ", ")
		},
		en: func(a args) string {
			if a.s(1) != "" {
				return "unknown content tag " + a.q(0) + a.mean(1, "en")
			}
			return "unknown content tag " + a.q(0) + "; the tags are: " + strings.Join(deck.Tags, ", ")
		},
	},
	CodeBadKind: {
		fi: func(a args) string {
			return "tuntematon korttilaji " + a.q(0) + a.or(1, "fi", "; lajit ovat: "+joinKinds(deck.Kinds))
		},
		sv: func(a args) string {
			return "okänd korttyp " + a.q(0) + a.or(1, "sv", "; typerna är: "+joinKinds(deck.Kinds))
		},
		en: func(a args) string {
			return "unknown card kind " + a.q(0) + a.or(1, "en", "; the kinds are: "+joinKinds(deck.Kinds))
		},
	},
	CodeBadDeckKind: {
		fi: func(a args) string {
			return "tuntematon pakan laji " + a.q(0) + a.or(1, "fi", "; lajit ovat: "+joinKinds(deck.DeckKinds))
		},
		sv: func(a args) string {
			return "okänd typ av kortlek " + a.q(0) + a.or(1, "sv", "; typerna är: "+joinKinds(deck.DeckKinds))
		},
		en: func(a args) string {
			return "unknown deck kind " + a.q(0) + a.or(1, "en", "; the kinds are: "+joinKinds(deck.DeckKinds))
		},
	},
	CodeKindMismatch: {
		fi: func(a args) string { return a.q(0) + "-kortti ei voi olla " + a.q(1) + "-pakassa" },
		sv: func(a args) string { return "ett " + a.q(0) + "-kort kan inte finnas i en " + a.q(1) + "-kortlek" },
		en: func(a args) string { return "a " + a.q(0) + " card cannot be in a " + a.q(1) + " deck" },
	},
	CodeBadAnswerer: {
		fi: func(a args) string {
			return "tuntematon vastaaja " + a.q(0) + a.or(1, "fi", "; käytä youth, worker, both tai turn")
		},
		sv: func(a args) string {
			return "okänd svarare " + a.q(0) + a.or(1, "sv", "; använd youth, worker, both eller turn")
		},
		en: func(a args) string {
			return "unknown answerer " + a.q(0) + a.or(1, "en", "; use youth, worker, both or turn")
		},
	},
	CodeBadLanguage: {
		fi: func(a args) string {
			return "tuntematon kieli " + a.q(0) + a.or(1, "fi", "; pelin kielet ovat fi, sv ja en")
		},
		sv: func(a args) string {
			return "okänt språk " + a.q(0) + a.or(1, "sv", "; spelets språk är fi, sv och en")
		},
		en: func(a args) string {
			return "unknown language " + a.q(0) + a.or(1, "en", "; the game has fi, sv and en")
		},
	},
	CodeBadTheme: {
		fi: func(a args) string {
			not := ""
			if a.s(0) != "" {
				not = ", ei " + a.q(0)
			}
			return "arviointikortin teeman pitää olla elämän alue" + not + a.or(1, "fi", "; alueet ovat: "+strings.Join(deck.LifeAreas, ", "))
		},
		sv: func(a args) string {
			not := ""
			if a.s(0) != "" {
				not = ", inte " + a.q(0)
			}
			return "ett skattningskorts tema ska vara ett livsområde" + not + a.or(1, "sv", "; områdena är: "+strings.Join(deck.LifeAreas, ", "))
		},
		en: func(a args) string {
			not := ""
			if a.s(0) != "" {
				not = ", not " + a.q(0)
			}
			return "a reflection card's theme must be a life area" + not + a.or(1, "en", "; the areas are: "+strings.Join(deck.LifeAreas, ", "))
		},
	},
	CodeTooLong: {
		fi: func(a args) string {
			in := ""
			if a.s(1) != "" {
				in = " " + inLang("fi", a.s(1))
			}
			return a.q(0) + in + " on " + a.s(2) + " merkkiä pitkä; enintään " + a.s(3) + " mahtuu"
		},
		sv: func(a args) string {
			in := ""
			if a.s(1) != "" {
				in = " " + inLang("sv", a.s(1))
			}
			return a.q(0) + in + " är " + a.s(2) + " tecken lång; högst " + a.s(3) + " ryms"
		},
		en: func(a args) string {
			in := ""
			if a.s(1) != "" {
				in = " " + inLang("en", a.s(1))
			}
			return a.q(0) + in + " is " + a.s(2) + " characters long; at most " + a.s(3) + " fit"
		},
	},
	CodeTooManyCards: {
		fi: func(a args) string {
			return "pakassa on " + a.s(0) + " korttia; yhteen pakkaan mahtuu enintään " + a.s(1)
		},
		sv: func(a args) string {
			return "kortleken har " + a.s(0) + " kort; högst " + a.s(1) + " ryms i en kortlek"
		},
		en: func(a args) string {
			return "the deck has " + a.s(0) + " cards; at most " + a.s(1) + " fit in one deck"
		},
	},
	CodeNoCards: {
		fi: func(a args) string { return "pakassa ei ole yhtään korttia" },
		sv: func(a args) string { return "kortleken har inga kort" },
		en: func(a args) string { return "the deck has no cards" },
	},
	CodeNoStart: {
		fi: func(a args) string {
			if a.s(0) == "" {
				return "tarina tarvitsee avaimen 'start', ensimmäisen kohtauksen tunnuksen"
			}
			return "alku " + a.q(0) + " ei ole tämän tarinan kohtaus" + a.mean(1, "fi")
		},
		sv: func(a args) string {
			if a.s(0) == "" {
				return "en berättelse behöver 'start', id:t för den första scenen"
			}
			return "starten " + a.q(0) + " är inte en scen i den här berättelsen" + a.mean(1, "sv")
		},
		en: func(a args) string {
			if a.s(0) == "" {
				return "a story needs 'start', the id of its first scene"
			}
			return "the start " + a.q(0) + " is not a scene in this story" + a.mean(1, "en")
		},
	},
	CodeChoicesCount: {
		fi: func(a args) string {
			return "kohtauksessa on 2 tai 3 valintaa, tai ei yhtään, jos tarina loppuu siihen; tässä on " + a.s(0)
		},
		sv: func(a args) string {
			return "en scen har 2 eller 3 val, eller inga om berättelsen slutar där; den här har " + a.s(0)
		},
		en: func(a args) string {
			return "a scene has 2 or 3 choices, or none if the story ends there; this one has " + a.s(0)
		},
	},
	CodeBadScale: {
		fi: func(a args) string {
			return "asteikko kulkee arvosta 'min' arvoon 'max', ja 0 ≤ min < max ≤ 10; tässä on " + a.s(0) + "–" + a.s(1)
		},
		sv: func(a args) string {
			return "skalan går från 'min' till 'max' med 0 ≤ min < max ≤ 10; den här är " + a.s(0) + "–" + a.s(1)
		},
		en: func(a args) string {
			return "a scale runs from 'min' to 'max' with 0 ≤ min < max ≤ 10; this one is " + a.s(0) + "–" + a.s(1)
		},
	},
	CodeNoContact: {
		fi: func(a args) string { return "avun paikalle tarvitaan 'contact', jossa on 'phone' tai 'url'" },
		sv: func(a args) string { return "en hjälptjänst behöver 'contact' med 'phone' eller 'url'" },
		en: func(a args) string { return "a help service needs 'contact' with a 'phone' or a 'url'" },
	},
	CodeBadURL: {
		fi: func(a args) string { return a.q(0) + " ei ole verkko-osoite; sen pitää alkaa https://" },
		sv: func(a args) string { return a.q(0) + " är ingen webbadress; den ska börja med https://" },
		en: func(a args) string { return a.q(0) + " is not a web address; it should start with https://" },
	},
	CodeBadPhone: {
		fi: func(a args) string {
			return a.q(0) + " ei ole puhelinnumero: käytä numeroita ja välilyöntejä, ja halutessasi + alussa"
		},
		sv: func(a args) string {
			return a.q(0) + " är inget telefonnummer: använd siffror och mellanslag, och gärna + i början"
		},
		en: func(a args) string {
			return a.q(0) + " is not a phone number: use digits and spaces, with a + at the start if you like"
		},
	},
	CodeNotForKind: {
		fi: func(a args) string { return a.q(0) + " ei kuulu " + a.q(1) + "-korttiin" },
		sv: func(a args) string { return a.q(0) + " hör inte hemma på ett " + a.q(1) + "-kort" },
		en: func(a args) string { return a.q(0) + " does not belong on a " + a.q(1) + " card" },
	},
	CodeNotForDeck: {
		fi: func(a args) string { return a.q(0) + " ei kuulu " + a.q(1) + "-pakkaan" },
		sv: func(a args) string { return a.q(0) + " hör inte hemma i en " + a.q(1) + "-kortlek" },
		en: func(a args) string { return a.q(0) + " does not belong in a " + a.q(1) + " deck" },
	},
	CodeDupDeck: {
		fi: func(a args) string { return "pakan tunnus " + a.q(0) + " on jo käytössä tiedostossa " + a.s(1) },
		sv: func(a args) string { return "kortlekens id " + a.q(0) + " används redan i filen " + a.s(1) },
		en: func(a args) string { return "deck id " + a.q(0) + " is already used by " + a.s(1) },
	},
	CodeNoTextColumn: {
		fi: func(a args) string { return "otsikkorivillä pitää olla tekstisarake: text_fi, text_sv tai text_en" },
		sv: func(a args) string { return "rubrikraden behöver en textkolumn: text_fi, text_sv eller text_en" },
		en: func(a args) string { return "the header row needs a text column: text_fi, text_sv or text_en" },
	},
	CodeExtraCells: {
		fi: func(a args) string {
			return "tällä rivillä on tekstiä sarakkeessa " + a.s(0) + ", jolla ei ole nimeä otsikkorivillä"
		},
		sv: func(a args) string {
			return "den här raden har text i kolumn " + a.s(0) + ", som saknar namn i rubrikraden"
		},
		en: func(a args) string {
			return "this row has text in column " + a.s(0) + ", which has no name in the header row"
		},
	},
	CodeCSVQuote: {
		fi: func(a args) string {
			return "lainausmerkki (\") on väärässä paikassa: teksti, jossa on lainausmerkkejä tai pilkkuja, kirjoitetaan lainausmerkkeihin ja sen sisällä jokainen lainausmerkki kahdesti, näin: \"Mitä \"\"kiva\"\" tarkoittaa?\""
		},
		sv: func(a args) string {
			return "ett citattecken (\") står på fel ställe: en text med citattecken eller kommatecken skrivs inom citattecken, med varje citattecken inuti dubblerat, så här: \"Vad betyder \"\"kul\"\"?\""
		},
		en: func(a args) string {
			return "a quote mark (\") is out of place: a text with quote marks or commas goes in quotes, with each quote mark inside doubled, like \"What does \"\"fun\"\" mean?\""
		},
	},
	CodeColonInText: {
		fi: func(a args) string {
			return "tekstissä on kaksoispiste ja välilyönti (': '), joka sekoittaa YAMLin: laita koko teksti lainausmerkkeihin"
		},
		sv: func(a args) string {
			return "texten har ett kolon och ett mellanslag (': '), som förvirrar YAML: sätt hela texten inom citattecken"
		},
		en: func(a args) string {
			return "the text has a colon and a space (': ') in it, which confuses YAML: put the whole text in quotes"
		},
	},
	CodeCommaInText: {
		fi: func(a args) string {
			return a.q(0) + " näyttää tekstin loppuosalta: { }-merkkien sisällä pilkku erottaa kielet, joten laita pilkullinen teksti lainausmerkkeihin"
		},
		sv: func(a args) string {
			return a.q(0) + " ser ut som slutet av en text: inom { } skiljer kommatecknet språken åt, så sätt en text med kommatecken inom citattecken"
		},
		en: func(a args) string {
			return a.q(0) + " looks like the end of a text: inside { } a comma separates the languages, so put a text with a comma in quotes"
		},
	},
	CodeTab: {
		fi: func(a args) string { return "sisennyksessä on sarkain: sisennä välilyönneillä" },
		sv: func(a args) string { return "indraget har ett tabbtecken: gör indrag med mellanslag" },
		en: func(a args) string { return "the indentation has a tab in it: indent with spaces" },
	},
	CodeIndent: {
		fi: func(a args) string {
			return "rivin sisennys ei sovi yllä oleviin riveihin: saman kortin avainten pitää alkaa samasta sarakkeesta"
		},
		sv: func(a args) string {
			return "radens indrag passar inte raderna ovanför: nycklarna i ett kort ska börja i samma kolumn"
		},
		en: func(a args) string {
			return "this line's indentation does not fit the lines above it: the keys of one card start in the same column"
		},
	},
}

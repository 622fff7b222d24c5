package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/server/deckfile"
)

// checkDeck checks one deck file for a trainer, in lang (or, when lang is
// empty, the language of the environment): the problems go to stderr one a
// line, where the summary that run returns follows them on a line of its own;
// a deck that is fine is said so on stdout, after any warnings. The file is
// also compared with the bundled decks, which it will be played beside.
func checkDeck(path, lang string, getenv func(string) string, stdout, stderr io.Writer) error {
	if lang == "" {
		lang = deckfile.LanguageFrom(getenv)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	bundled, err := deckfile.LoadFS(assets.Decks, "decks")
	if err != nil {
		return fmt.Errorf("bundled decks: %w", err)
	}
	r := deckfile.Check(path, data, bundled)
	summary := r.Result().Summary(deckfile.Words(lang))
	if len(r.Problems) > 0 {
		for _, m := range r.Problems.Messages(lang) {
			fmt.Fprintf(stderr, "%s: %s\n", path, m)
		}
		return errors.New(path + ": " + summary)
	}
	for _, m := range r.Warnings.WarningMessages(lang) {
		fmt.Fprintf(stdout, "%s: %s\n", path, m)
	}
	fmt.Fprintf(stdout, "%s: %s\n", path, summary)
	return nil
}

package site

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// uploader takes a deck a host brings into their room. The host's seat token
// comes in the Authorization header, never in the URL; the file's name
// (X-Deck-Name) says whether it is YAML or CSV.
type uploader struct {
	hub     *room.Hub
	log     zerolog.Logger
	bundled func(id string) bool
}

// UploadResult is the JSON answer to an upload.
type UploadResult struct {
	Deck     string         `json:"deck,omitempty"`     // the id the deck got in the room
	Code     rules.Code     `json:"code,omitempty"`     // why it was refused
	Problems []string       `json:"problems,omitempty"` // the checker's findings, in the asked language
	Found    []deck.Problem `json:"found,omitempty"`    // the same as codes and arguments, for a client to put into words
}

func (u *uploader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The token first: a file from someone without a seat is never read.
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" || !u.hub.KnowsToken(token) {
		reply(w, http.StatusUnauthorized, UploadResult{Code: protocol.ErrBadToken})
		return
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = deck.DefaultLanguage
	}
	name, data, status, code := readDeckFile(w, r)
	if code != "" {
		reply(w, status, UploadResult{Code: code})
		return
	}
	d, problems := deckfile.Parse(name, data)
	if len(problems) > 0 {
		reply(w, http.StatusUnprocessableEntity, UploadResult{Code: protocol.ErrDeckInvalid, Problems: problems.Messages(lang), Found: problems})
		return
	}
	if u.bundled != nil && u.bundled(d.ID) {
		// A brought deck never takes a bundled deck's place.
		d.ID = strings.TrimRight(d.ID[:min(len(d.ID), 44)], "-") + "-oma"
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if code := u.hub.Upload(ctx, token, d); code != "" {
		status := http.StatusConflict
		if code == protocol.ErrBadToken {
			status = http.StatusUnauthorized
		}
		reply(w, status, UploadResult{Code: code})
		return
	}
	u.log.Info().Int("cards", len(d.Cards)).Msg("deck brought into a room")
	reply(w, http.StatusOK, UploadResult{Deck: d.ID})
}

func reply(w http.ResponseWriter, status int, res UploadResult) { writeJSON(w, status, res) }

// readDeckFile reads a deck file from a request's body, at most
// deckfile.MaxUpload, and its name from X-Deck-Name (only the last part of
// a path; "deck.yaml" when there is none). A code says why it could not be
// read, with the status to answer.
func readDeckFile(w http.ResponseWriter, r *http.Request) (name string, data []byte, status int, code rules.Code) {
	name = path.Base(r.Header.Get("X-Deck-Name"))
	if name == "." || name == "/" {
		name = "deck.yaml"
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, deckfile.MaxUpload))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return "", nil, http.StatusRequestEntityTooLarge, protocol.ErrTooLarge
	case err != nil:
		return "", nil, http.StatusBadRequest, protocol.ErrBadMessage
	}
	return name, data, http.StatusOK, ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

package workshop

import (
	"bytes"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Workshop is one trainer's workshop: the handler of a place (package
// place), whose kernel owns its goroutine, inbox and connections.
// Everything here belongs to that goroutine. The kernel's slot 0 is the
// trainer's; participants take the slots from 1, by ID.
type Workshop struct {
	m    *Manager
	k    *place.Kernel
	id   string // internal: for logs, never shown to anyone
	code string
	log  zerolog.Logger

	lang     string // the trainer's language: participants who say none get it
	trainer  *person
	people   []*person // participants, by ID-1
	rooms    []*pair   // by N-1
	lastCmd  uint64    // the trainer's newest command id applied
	sent     []byte    // the dashboard the trainer has
	dirty    bool      // the dashboard may have changed
	flushing bool      // an alarm will push the dashboard
	created  time.Time
	closing  time.Time // the trainer closed the workshop: its rooms are being closed since then
	ended    bool
}

// person is the trainer's or a participant's hold on the workshop. Their
// connection is the kernel's slot of number id.
type person struct {
	id   int // 0: the trainer; participants count from 1
	key  place.Key
	nick string
	lang string
	pair *pair // the room they were paired into
	host bool  // they play the worker in it
	gone bool  // away longer than the window while waiting: forgotten
}

// pair is a room the workshop made.
type pair struct {
	n            int
	id           string // the room's
	host, player *person
	prog         rules.Progress
	asked        time.Time // an Ask is out since then
	over         bool      // the room has ended
	closed       bool      // told to close, when the workshop closes
	tell         []protocol.Notice
}

// maxPairs bounds the rooms of one workshop.
const maxPairs = protocol.MaxParticipants / 2

// maxNear bounds how many client addresses a workshop remembers: a device
// from one of them may still reach it after its address guessed too many
// codes.
const maxNear = 256

func newWorkshop(m *Manager, id string, hello protocol.Hello, by string) *Workshop {
	lang := hello.Lang
	if !slices.Contains(deck.Languages, lang) {
		lang = deck.DefaultLanguage
	}
	w := &Workshop{
		m: m, id: id, lang: lang, created: m.now(),
		log: m.log.With().Str("workshop", id).Logger(),
	}
	w.k = place.NewKernel(w, place.KernelOptions{
		ID: id, Home: m.home(), Tick: m.cfg.Poll, Inbox: m.cfg.Inbox, Near: maxNear, Log: m.log, Stats: m.places.Stats(), Now: m.now, Creator: by,
	})
	return w
}

// Message handles what a member's client sent: a trainer's command. There
// is no table to act at in a workshop until one's seat in a room is taken.
func (w *Workshop) Message(m *place.Member, msg protocol.Message, _ time.Time) {
	switch msg := msg.(type) {
	case protocol.Train:
		w.train(m, msg)
	case protocol.Act:
		w.k.SendMsg(m.Slot(), protocol.Ack{ID: msg.ID, Code: rules.ErrNotAllowed})
	}
}

// Stop tells everyone connected that the server restarts. Workshops are
// not kept: their rooms are.
func (w *Workshop) Stop() {
	for _, pl := range w.persons() {
		if w.k.Connected(pl.id) {
			w.k.SendMsg(pl.id, protocol.Notice{Kind: protocol.NoticeRestarting})
			w.k.Unlink(pl.id, place.StatusServerRestart, "server restarting")
		}
	}
	w.end("server restarting")
}

// Gone is what a client is told when the workshop has ended.
func (w *Workshop) Gone() rules.Code { return protocol.ErrWorkshopClosed }

// persons returns the trainer and every participant.
func (w *Workshop) persons() []*person {
	all := make([]*person, 0, len(w.people)+1)
	if w.trainer != nil {
		all = append(all, w.trainer)
	}
	return append(all, w.people...)
}

// Enter gives a connection its place: the trainer's, a new participant's,
// or one taken back with its token.
func (w *Workshop) Enter(hello protocol.Hello, p place.Peer, _ string) (*place.Member, rules.Code) {
	var pl *person
	token := ""
	switch hello.Want {
	case protocol.WantWorkshop:
		if w.trainer != nil {
			return nil, protocol.ErrBusy
		}
		var code rules.Code
		if pl, token, code = w.newPerson(0, hello.Nick, w.lang); code != "" {
			w.end("no token")
			return nil, code
		}
		w.trainer = pl
	case protocol.WantJoin:
		if !w.closing.IsZero() {
			return nil, protocol.ErrWorkshopClosed
		}
		if len(w.people) >= protocol.MaxParticipants {
			return nil, protocol.ErrWorkshopFull
		}
		nick := strings.TrimSpace(hello.Nick)
		if utf8.RuneCountInString(nick) > rules.MaxNick {
			return nil, rules.ErrTooLong
		}
		lang := hello.Lang
		if lang == "" {
			lang = w.lang
		}
		if !slices.Contains(deck.Languages, lang) {
			return nil, rules.ErrBadLanguage
		}
		var code rules.Code
		if pl, token, code = w.newPerson(len(w.people)+1, nick, lang); code != "" {
			return nil, code
		}
		w.people = append(w.people, pl)
	case protocol.WantResume:
		k := place.KeyOf(hello.Token)
		for _, cand := range w.persons() {
			if cand.key == k {
				pl = cand
			}
		}
		if pl == nil || pl.gone {
			return nil, protocol.ErrBadToken
		}
		if pl.pair != nil {
			// Their seat is in the room, and the directory finds it there
			// before the workshop: the room is over, or they left it.
			if pl.pair.over {
				return nil, protocol.ErrRoomClosed
			}
			return nil, protocol.ErrBadToken
		}
	default:
		return nil, protocol.ErrBadMessage
	}
	mem := w.k.Attach(pl.id, p)
	if mem == nil {
		return nil, protocol.ErrRateLimited // comes back too often
	}
	welcome := protocol.Workshop{
		V: protocol.Version, Trainer: pl.id == 0, Me: pl.id, Token: token, Code: w.code, Resumed: token == "",
		Window: int(w.m.room.Window / time.Second), Heartbeat: int(w.m.room.Heartbeat / time.Second),
	}
	if pl.id == 0 {
		welcome.LastCmd = w.lastCmd
	}
	w.k.SendMsg(pl.id, welcome)
	if pl.id == 0 {
		w.sent = nil // the whole dashboard again, at once
		w.push()
	} else {
		w.changed()
	}
	w.log.Debug().Bool("trainer", pl.id == 0).Bool("resumed", token == "").Msg("place taken")
	return mem, ""
}

// newPerson makes a place with a new token.
func (w *Workshop) newPerson(id int, nick, lang string) (*person, string, rules.Code) {
	token, err := place.NewToken(w.m.places.Rand())
	if err != nil {
		return nil, "", protocol.ErrBusy
	}
	key := place.KeyOf(token)
	w.m.places.Claim(w.k, place.Name{NS: place.Waiting, S: string(key[:])})
	return &person{id: id, key: key, nick: nick, lang: lang}, token, ""
}

// Left notes that a connection went (or was dropped).
func (w *Workshop) Left(slot int) {
	if slot == 0 {
		w.sent = nil // a trainer who comes back gets the whole dashboard
	}
	w.changed()
}

func (w *Workshop) person(id int) *person {
	if id == 0 {
		return w.trainer
	}
	if id < 1 || id > len(w.people) {
		return nil
	}
	return w.people[id-1]
}

// train carries out a trainer's command, once.
func (w *Workshop) train(m *place.Member, cmd protocol.Train) {
	pl := w.person(m.Slot())
	if pl == nil {
		return
	}
	if pl.id != 0 {
		w.k.SendMsg(pl.id, protocol.Ack{ID: cmd.ID, Code: rules.ErrNotAllowed})
		return
	}
	if cmd.ID <= w.lastCmd {
		w.k.SendMsg(0, protocol.Ack{ID: cmd.ID, Dup: true})
		return
	}
	w.lastCmd = cmd.ID
	code := w.command(cmd)
	if w.trainer != nil && w.k.Member(0) == m {
		w.k.SendMsg(0, protocol.Ack{ID: cmd.ID, Code: code})
	}
}

func (w *Workshop) command(cmd protocol.Train) rules.Code {
	if !w.closing.IsZero() {
		return rules.ErrWrongPhase
	}
	switch cmd.Kind {
	case protocol.TrainPairAll:
		var waiting []*person
		for _, pl := range w.people {
			if pl.pair == nil && w.k.Connected(pl.id) {
				waiting = append(waiting, pl)
			}
		}
		for i := 0; i+1 < len(waiting); i += 2 {
			if code := w.pairUp(waiting[i], waiting[i+1]); code != "" {
				return code
			}
		}
	case protocol.TrainPair:
		a, b := w.person(cmd.A), w.person(cmd.B)
		if a == nil || b == nil || a == b || a.id == 0 || b.id == 0 || a.pair != nil || b.pair != nil {
			return rules.ErrNoSuchSeat
		}
		return w.pairUp(a, b)
	case protocol.TrainMessage:
		text := strings.TrimSpace(cmd.Text)
		if text == "" {
			return rules.ErrEmpty
		}
		if utf8.RuneCountInString(text) > protocol.MaxTrainText {
			return rules.ErrTooLong
		}
		w.notify(protocol.Notice{Kind: protocol.NoticeMessage, Text: text})
	case protocol.TrainTimeLeft:
		if cmd.Minutes < 1 || cmd.Minutes > protocol.MaxMinutes {
			return rules.ErrOutOfRange
		}
		w.notify(protocol.Notice{Kind: protocol.NoticeTimeLeft, Minutes: cmd.Minutes})
	case protocol.TrainEndAll:
		w.notify(protocol.Notice{Kind: protocol.NoticeEnding})
		w.log.Info().Int("rooms", len(w.rooms)).Msg("workshop rooms ending")
	case protocol.TrainClose:
		w.close()
	default:
		return rules.ErrUnknownAction
	}
	return ""
}

// pairUp makes a room for host (the worker) and player (the young person)
// and sends them there.
func (w *Workshop) pairUp(host, player *person) rules.Code {
	if len(w.rooms) >= maxPairs {
		return rules.ErrRoomFull
	}
	id, code := w.m.rooms.CreatePair(room.PairSeat{Key: host.key, Nick: host.nick, Lang: host.lang},
		room.PairSeat{Key: player.key, Nick: player.nick, Lang: player.lang})
	if code != "" {
		return code
	}
	pr := &pair{n: len(w.rooms) + 1, id: id, host: host, player: player, prog: rules.Progress{Phase: rules.Lobby}}
	w.rooms = append(w.rooms, pr)
	host.pair, host.host = pr, true
	player.pair = pr
	for _, pl := range []*person{host, player} {
		role := rules.Player
		if pl.host {
			role = rules.Host
		}
		// The client resumes with its token and finds its seat; one that
		// ignored Assigned still comes back there when this connection
		// closes.
		w.k.SendMsg(pl.id, protocol.Assigned{Role: role})
		w.k.Unlink(pl.id, place.StatusNormal, "seated")
	}
	w.changed()
	w.log.Info().Int("rooms", len(w.rooms)).Msg("pair seated")
	return ""
}

// notify tells every room and everyone waiting; a room too busy to be told
// now is told at the next tick.
func (w *Workshop) notify(n protocol.Notice) {
	for _, pl := range w.people {
		if pl.pair == nil {
			w.k.SendMsg(pl.id, n)
		}
	}
	for _, pr := range w.rooms {
		if pr.over {
			continue
		}
		if len(pr.tell) > 0 || !w.m.rooms.Tell(pr.id, n) {
			if len(pr.tell) < 8 {
				pr.tell = append(pr.tell, n)
			}
		}
	}
}

// close ends the workshop as its trainer asked: everyone waiting is told,
// and its rooms are closed and forgotten before it forgets itself.
func (w *Workshop) close() {
	w.closing = w.m.now()
	w.sendAway(w.people...)
	w.closeRooms()
}

// closeRooms asks every room that is still open to close, and ends the
// workshop once all have been asked or enough time has passed.
func (w *Workshop) closeRooms() {
	left := 0
	for _, pr := range w.rooms {
		if pr.over || pr.closed {
			continue
		}
		if w.m.rooms.CloseRoom(pr.id) {
			pr.closed = true
			continue
		}
		left++
	}
	if left == 0 || w.m.now().Sub(w.closing) > 10*time.Second {
		if w.trainer != nil {
			w.sendAway(w.trainer)
		}
		w.end("closed by the trainer")
	}
}

// sendAway tells those of pls who are connected and not in a room that the
// workshop is closed, and closes their connections.
func (w *Workshop) sendAway(pls ...*person) {
	for _, pl := range pls {
		if pl.pair == nil && w.k.Connected(pl.id) {
			w.k.SendMsg(pl.id, protocol.Error{Code: protocol.ErrWorkshopClosed})
			w.k.Unlink(pl.id, place.StatusNormal, "workshop closed")
		}
	}
}

// Tick asks the rooms how they are doing, tells them what they could not
// be told before, and lets go of connections and places gone quiet.
func (w *Workshop) Tick(now time.Time) {
	if !w.closing.IsZero() {
		w.closeRooms()
		return
	}
	if w.trainer == nil && now.Sub(w.created) > time.Minute {
		w.end("no trainer") // the trainer's connection failed before it entered
		return
	}
	cfg := w.m.room
	for _, pr := range w.rooms {
		if pr.over {
			continue
		}
		for len(pr.tell) > 0 && w.m.rooms.Tell(pr.id, pr.tell[0]) {
			pr.tell = pr.tell[1:]
		}
		// An answer lost with a room that ended is given up on.
		if !pr.asked.IsZero() && now.Sub(pr.asked) < 5*w.m.cfg.Poll {
			continue
		}
		if w.m.rooms.Ask(pr.id, w.hear) {
			pr.asked = now
		}
	}
	for _, pl := range w.persons() {
		if m := w.k.Member(pl.id); m != nil && now.Sub(m.Seen()) > cfg.DeadAfter {
			w.k.Drop(pl.id, "no heartbeat")
		}
	}
	if t := w.trainer; t != nil && !w.k.Connected(0) && now.Sub(w.k.AwaySince(0)) > cfg.Window {
		// The trainer has gone: the workshop ends, and its rooms play on
		// by themselves until their own people leave.
		w.sendAway(w.people...)
		w.end("the trainer went away")
		return
	}
	for _, pl := range w.people {
		if pl.pair == nil && !w.k.Connected(pl.id) && !pl.gone && now.Sub(w.k.AwaySince(pl.id)) > cfg.Window {
			// A participant who never came back: forget who they were.
			pl.gone, pl.nick = true, ""
			w.m.places.Release(w.k, place.Name{NS: place.Waiting, S: string(pl.key[:])})
			w.changed()
		}
	}
}

// hear is how a room answers Ask, on the room's goroutine: the report goes
// to the workshop's inbox without waiting; one that finds it full is lost,
// and the room is asked again later.
func (w *Workshop) hear(rep room.Report) { w.k.TryCall(func() { w.report(rep) }) }

// report takes in a room's progress, or that it ended.
func (w *Workshop) report(rep room.Report) {
	for _, pr := range w.rooms {
		if pr.id != rep.ID || pr.over {
			continue
		}
		pr.asked = time.Time{}
		if rep.Gone {
			pr.over, pr.prog.Phase, pr.prog.Online = true, rules.Closed, nil
			w.changed()
		} else if !sameProgress(pr.prog, rep.Progress) {
			pr.prog = rep.Progress
			w.changed()
		}
	}
}

func sameProgress(a, b rules.Progress) bool {
	return a.Phase == b.Phase && a.Played == b.Played && a.Passes == b.Passes && a.Paused == b.Paused && slices.Equal(a.Online, b.Online)
}

// changed notes that the dashboard may differ from the one the trainer has:
// it goes out within Config.Flush, so that a burst of joins makes one frame.
func (w *Workshop) changed() {
	w.dirty = true
	if !w.flushing {
		w.flushing = true
		w.k.After(w.m.cfg.Flush, func() {
			w.flushing = false
			w.push()
		})
	}
}

// dashboard is the trainer's view: progress and presence, nothing else.
func (w *Workshop) dashboard() protocol.Dashboard {
	d := protocol.Dashboard{People: make([]protocol.Person, 0, len(w.people)), Rooms: make([]protocol.RoomProgress, 0, len(w.rooms))}
	for _, pl := range w.people {
		p := protocol.Person{ID: pl.id, Nick: pl.nick, Online: w.k.Connected(pl.id)}
		if pr := pl.pair; pr != nil {
			p.Room = pr.n
			seat := rules.SeatID(1)
			if pl.host {
				seat = 0
			}
			p.Online = slices.Contains(pr.prog.Online, seat)
		} else if pl.gone {
			continue
		}
		d.People = append(d.People, p)
	}
	for _, pr := range w.rooms {
		d.Rooms = append(d.Rooms, protocol.RoomProgress{
			N: pr.n, Host: pr.host.id, Player: pr.player.id,
			Phase: pr.prog.Phase, Played: pr.prog.Played, Passes: pr.prog.Passes, Paused: pr.prog.Paused,
		})
	}
	return d
}

// push sends the trainer the dashboard if it changed.
func (w *Workshop) push() {
	w.dirty = false
	if w.trainer == nil || !w.k.Connected(0) {
		return
	}
	b, err := protocol.Encode(w.dashboard())
	if err != nil {
		w.log.Error().Err(err).Msg("encode")
		return
	}
	if bytes.Equal(b, w.sent) {
		return
	}
	w.sent = b
	w.k.Send(0, b)
}

// end stops the workshop and forgets it.
func (w *Workshop) end(why string) {
	if w.ended {
		return
	}
	w.ended = true
	w.k.End()
	for _, pl := range w.persons() {
		w.k.Unlink(pl.id, place.StatusNormal, "workshop closed")
		pl.nick = ""
	}
	w.m.forget(w)
	w.people, w.rooms, w.trainer = nil, nil, nil
	w.log.Info().Str("why", why).Msg("workshop ended")
}

package workshop

import (
	"bytes"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Workshop is one trainer's workshop. Everything below near belongs to its
// goroutine.
type Workshop struct {
	m     *Manager
	id    string // internal: for logs, never shown to anyone
	code  string
	inbox chan any
	done  chan struct{}
	log   zerolog.Logger

	// near holds the keys of the addresses its members came from; the
	// manager's mutex guards it.
	near map[string]bool

	lang    string // the trainer's language: participants who say none get it
	trainer *place
	people  []*place // participants, by ID-1
	rooms   []*pair  // by N-1
	lastCmd uint64   // the trainer's newest command id applied
	reports chan room.Report
	sent    []byte    // the dashboard the trainer has
	dirty   bool      // the dashboard may have changed
	flushAt time.Time // when a changed dashboard goes out
	created time.Time
	closing time.Time // the trainer closed the workshop: its rooms are being closed since then
	ended   bool
}

// place is the trainer's or a participant's hold on the workshop.
type place struct {
	id     int // 0: the trainer; participants count from 1
	key    room.Key
	nick   string
	lang   string
	member *Member   // the live connection, or nil
	away   time.Time // when the connection went; zero while connected
	pair   *pair     // the room they were paired into
	host   bool      // they play the worker in it
	gone   bool      // away longer than the window while waiting: forgotten
}

// pair is a room the workshop made.
type pair struct {
	n            int
	r            *room.Room
	host, player *place
	prog         rules.Progress
	asked        time.Time // an Ask is out since then
	over         bool      // the room has ended
	closed       bool      // told to close, when the workshop closes
	tell         []protocol.Notice
}

// Messages a workshop's inbox carries.
type (
	enter struct {
		peer  room.Peer
		hello protocol.Hello
		reply chan entered
	}
	entered struct {
		member *Member
		code   rules.Code
	}
	train struct {
		m   *Member
		cmd protocol.Train
	}
	leave    struct{ m *Member }
	shutdown struct{}
)

// maxPairs bounds the rooms of one workshop.
const maxPairs = protocol.MaxParticipants / 2

func newWorkshop(m *Manager, id, code string, hello protocol.Hello) *Workshop {
	lang := hello.Lang
	if !slices.Contains(deck.Languages, lang) {
		lang = deck.DefaultLanguage
	}
	return &Workshop{
		m: m, id: id, code: code, lang: lang, created: m.now(),
		inbox:   make(chan any, m.cfg.Inbox),
		done:    make(chan struct{}),
		log:     m.log.With().Str("workshop", id).Logger(),
		reports: make(chan room.Report, maxPairs),
	}
}

func (w *Workshop) run() {
	defer close(w.done)
	poll := time.NewTicker(w.m.cfg.Poll)
	defer poll.Stop()
	flush := time.NewTimer(time.Hour)
	defer flush.Stop()
	for !w.ended {
		select {
		case msg := <-w.inbox:
			w.handle(msg)
		case rep := <-w.reports:
			w.report(rep)
		case <-poll.C:
			w.tick(w.m.now())
		case <-flush.C:
		}
		if w.ended {
			break
		}
		if w.dirty {
			now := w.m.now()
			if w.flushAt.IsZero() {
				w.flushAt = now.Add(w.m.cfg.Flush)
			}
			if !now.Before(w.flushAt) {
				w.push()
			} else {
				flush.Reset(w.flushAt.Sub(now))
			}
		}
	}
}

func (w *Workshop) handle(msg any) {
	switch msg := msg.(type) {
	case enter:
		mem, code := w.enter(msg.peer, msg.hello)
		msg.reply <- entered{member: mem, code: code}
	case train:
		w.train(msg.m, msg.cmd)
	case leave:
		w.leave(msg.m)
	case shutdown:
		for _, pl := range w.places() {
			if pl.member != nil {
				w.sendTo(pl, protocol.Notice{Kind: protocol.NoticeRestarting})
				w.unlink(pl, room.StatusServerRestart, "server restarting")
			}
		}
		w.end("server restarting")
	}
}

// places returns the trainer and every participant.
func (w *Workshop) places() []*place {
	all := make([]*place, 0, len(w.people)+1)
	if w.trainer != nil {
		all = append(all, w.trainer)
	}
	return append(all, w.people...)
}

// enter gives a connection its place: the trainer's, a new participant's,
// or one taken back with its token.
func (w *Workshop) enter(p room.Peer, hello protocol.Hello) (*Member, rules.Code) {
	var pl *place
	token := ""
	switch hello.Want {
	case protocol.WantWorkshop:
		if w.trainer != nil {
			return nil, protocol.ErrBusy
		}
		var code rules.Code
		if pl, token, code = w.newPlace(0, hello.Nick, w.lang); code != "" {
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
		if pl, token, code = w.newPlace(len(w.people)+1, nick, lang); code != "" {
			return nil, code
		}
		w.people = append(w.people, pl)
	case protocol.WantResume:
		k := room.KeyOf(hello.Token)
		for _, cand := range w.places() {
			if cand.key == k {
				pl = cand
			}
		}
		if pl == nil || pl.gone {
			return nil, protocol.ErrBadToken
		}
		if pl.pair != nil {
			// Their seat is in the room, and the hub finds it there before
			// asking the workshop: the room is over, or they left it.
			if pl.pair.over || pl.pair.r.Ended() {
				return nil, protocol.ErrRoomClosed
			}
			return nil, protocol.ErrBadToken
		}
		w.unlink(pl, room.StatusPolicy, "replaced by a newer connection")
	default:
		return nil, protocol.ErrBadMessage
	}
	mem := &Member{w: w, id: pl.id, peer: p}
	mem.Touch(w.m.now())
	pl.member, pl.away = mem, time.Time{}
	welcome := protocol.Workshop{
		V: protocol.Version, Trainer: pl.id == 0, Me: pl.id, Token: token, Code: w.code, Resumed: token == "",
		Window: int(w.m.room.Window / time.Second), Heartbeat: int(w.m.room.Heartbeat / time.Second),
	}
	if pl.id == 0 {
		welcome.LastCmd = w.lastCmd
	}
	w.sendTo(pl, welcome)
	if pl.id == 0 {
		w.sent = nil // the whole dashboard again, at once
		w.push()
	} else {
		w.changed()
	}
	w.log.Debug().Bool("trainer", pl.id == 0).Bool("resumed", token == "").Msg("place taken")
	return mem, ""
}

// newPlace makes a place with a new token.
func (w *Workshop) newPlace(id int, nick, lang string) (*place, string, rules.Code) {
	token, key, err := w.m.hub.NewToken()
	if err != nil {
		return nil, "", protocol.ErrBusy
	}
	w.m.addKey(key, w)
	return &place{id: id, key: key, nick: nick, lang: lang}, token, ""
}

// leave notes that a member's connection ended.
func (w *Workshop) leave(m *Member) {
	m.detached.Store(true)
	if pl := w.place(m.id); pl != nil && pl.member == m {
		pl.member, pl.away = nil, w.m.now()
		w.changed()
	}
}

func (w *Workshop) place(id int) *place {
	if id == 0 {
		return w.trainer
	}
	if id < 1 || id > len(w.people) {
		return nil
	}
	return w.people[id-1]
}

// unlink ends a place's connection, if it has one.
func (w *Workshop) unlink(pl *place, status int, reason string) {
	m := pl.member
	if m == nil {
		return
	}
	m.detached.Store(true)
	m.peer.Close(status, reason)
	pl.member, pl.away = nil, w.m.now()
}

func (w *Workshop) sendTo(pl *place, msg protocol.Message) {
	b, err := protocol.Encode(msg)
	if err != nil {
		w.log.Error().Err(err).Msg("encode")
		return
	}
	w.sendFrame(pl, b)
}

// sendFrame queues b for the place's connection, dropping a connection that
// cannot keep up.
func (w *Workshop) sendFrame(pl *place, b []byte) {
	if pl.member == nil {
		return
	}
	if !pl.member.peer.Send(b) {
		w.unlink(pl, room.StatusPolicy, "too slow")
		if pl.id == 0 {
			w.sent = nil
		}
	}
}

// train carries out a trainer's command, once.
func (w *Workshop) train(m *Member, cmd protocol.Train) {
	pl := w.place(m.id)
	if m.detached.Load() || pl == nil || pl.member != m {
		return
	}
	if pl.id != 0 {
		w.sendTo(pl, protocol.Ack{ID: cmd.ID, Code: rules.ErrNotAllowed})
		return
	}
	if cmd.ID <= w.lastCmd {
		w.sendTo(w.trainer, protocol.Ack{ID: cmd.ID, Dup: true})
		return
	}
	w.lastCmd = cmd.ID
	code := w.command(cmd)
	if w.trainer != nil && w.trainer.member == m {
		w.sendTo(w.trainer, protocol.Ack{ID: cmd.ID, Code: code})
	}
}

func (w *Workshop) command(cmd protocol.Train) rules.Code {
	if !w.closing.IsZero() {
		return rules.ErrWrongPhase
	}
	switch cmd.Kind {
	case protocol.TrainPairAll:
		var waiting []*place
		for _, pl := range w.people {
			if pl.pair == nil && pl.member != nil {
				waiting = append(waiting, pl)
			}
		}
		for i := 0; i+1 < len(waiting); i += 2 {
			if code := w.pairUp(waiting[i], waiting[i+1]); code != "" {
				return code
			}
		}
	case protocol.TrainPair:
		a, b := w.place(cmd.A), w.place(cmd.B)
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
func (w *Workshop) pairUp(host, player *place) rules.Code {
	if len(w.rooms) >= maxPairs {
		return rules.ErrRoomFull
	}
	r, code := w.m.hub.CreatePair(room.PairSeat{Key: host.key, Nick: host.nick, Lang: host.lang},
		room.PairSeat{Key: player.key, Nick: player.nick, Lang: player.lang})
	if code != "" {
		return code
	}
	pr := &pair{n: len(w.rooms) + 1, r: r, host: host, player: player, prog: rules.Progress{Phase: rules.Lobby}}
	w.rooms = append(w.rooms, pr)
	host.pair, host.host = pr, true
	player.pair = pr
	for _, pl := range []*place{host, player} {
		role := rules.Player
		if pl.host {
			role = rules.Host
		}
		// The client resumes with its token and finds its seat; one that
		// ignored Assigned still comes back there when this connection
		// closes.
		w.sendTo(pl, protocol.Assigned{Role: role})
		w.unlink(pl, room.StatusNormal, "seated")
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
			w.sendTo(pl, n)
		}
	}
	for _, pr := range w.rooms {
		if pr.over {
			continue
		}
		if len(pr.tell) > 0 || !w.m.hub.Tell(pr.r, n) {
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
	for _, pl := range w.people {
		if pl.pair == nil && pl.member != nil {
			w.sendTo(pl, protocol.Error{Code: protocol.ErrWorkshopClosed})
			w.unlink(pl, room.StatusNormal, "workshop closed")
		}
	}
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
		if w.m.hub.CloseRoom(pr.r) || pr.r.Ended() {
			pr.closed = true
			continue
		}
		left++
	}
	if left == 0 || w.m.now().Sub(w.closing) > 10*time.Second {
		if t := w.trainer; t != nil && t.member != nil {
			w.sendTo(t, protocol.Error{Code: protocol.ErrWorkshopClosed})
			w.unlink(t, room.StatusNormal, "workshop closed")
		}
		w.end("closed by the trainer")
	}
}

// tick asks the rooms how they are doing, tells them what they could not
// be told before, and lets go of connections and places gone quiet.
func (w *Workshop) tick(now time.Time) {
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
		if pr.r.Ended() {
			pr.over, pr.prog.Phase, pr.prog.Online = true, rules.Closed, nil
			w.changed()
			continue
		}
		for len(pr.tell) > 0 && w.m.hub.Tell(pr.r, pr.tell[0]) {
			pr.tell = pr.tell[1:]
		}
		// An answer lost with a room that ended is given up on.
		if !pr.asked.IsZero() && now.Sub(pr.asked) < 5*w.m.cfg.Poll {
			continue
		}
		if w.m.hub.Ask(pr.r, w.reports) {
			pr.asked = now
		}
	}
	for _, pl := range w.places() {
		if m := pl.member; m != nil && now.Sub(m.Seen()) > cfg.DeadAfter {
			w.unlink(pl, room.StatusPolicy, "no heartbeat")
			w.changed()
		}
	}
	if t := w.trainer; t != nil && t.member == nil && now.Sub(t.away) > cfg.Window {
		// The trainer has gone: the workshop ends, and its rooms play on
		// by themselves until their own people leave.
		for _, pl := range w.people {
			if pl.pair == nil && pl.member != nil {
				w.sendTo(pl, protocol.Error{Code: protocol.ErrWorkshopClosed})
				w.unlink(pl, room.StatusNormal, "workshop closed")
			}
		}
		w.end("the trainer went away")
		return
	}
	for _, pl := range w.people {
		if pl.pair == nil && pl.member == nil && !pl.gone && now.Sub(pl.away) > cfg.Window {
			// A participant who never came back: forget who they were.
			pl.gone, pl.nick = true, ""
			w.m.dropKey(pl.key)
			w.changed()
		}
	}
}

// report takes in a room's progress.
func (w *Workshop) report(rep room.Report) {
	for _, pr := range w.rooms {
		if pr.r != rep.Room {
			continue
		}
		pr.asked = time.Time{}
		if !sameProgress(pr.prog, rep.Progress) {
			pr.prog = rep.Progress
			w.changed()
		}
	}
}

func sameProgress(a, b rules.Progress) bool {
	return a.Phase == b.Phase && a.Played == b.Played && a.Passes == b.Passes && a.Paused == b.Paused && slices.Equal(a.Online, b.Online)
}

// changed notes that the dashboard may differ from the one the trainer has.
func (w *Workshop) changed() { w.dirty = true }

// dashboard is the trainer's view: progress and presence, nothing else.
func (w *Workshop) dashboard() protocol.Dashboard {
	d := protocol.Dashboard{People: make([]protocol.Person, 0, len(w.people)), Rooms: make([]protocol.RoomProgress, 0, len(w.rooms))}
	for _, pl := range w.people {
		p := protocol.Person{ID: pl.id, Nick: pl.nick, Online: pl.member != nil}
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
	w.dirty, w.flushAt = false, time.Time{}
	t := w.trainer
	if t == nil || t.member == nil {
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
	w.sendFrame(t, b)
}

// end stops the workshop and forgets it.
func (w *Workshop) end(why string) {
	if w.ended {
		return
	}
	w.ended = true
	keys := make([]room.Key, 0, len(w.people)+1)
	for _, pl := range w.places() {
		keys = append(keys, pl.key)
		w.unlink(pl, room.StatusNormal, "workshop closed")
		pl.nick = ""
	}
	w.m.forget(w, keys)
	w.people, w.rooms, w.trainer = nil, nil, nil
	w.log.Info().Str("why", why).Msg("workshop ended")
}

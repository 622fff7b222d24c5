package session

import (
	"errors"
	"sync"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Table is a room this device runs itself, with no server: shared/rules
// with both seats here, the worker's and the young person's, as in a
// hot-seat game. It needs no network once it has its decks, and nothing of
// it leaves the device or outlives it: the state is in memory only.
type Table struct {
	mu       sync.Mutex
	st       rules.State
	seq      uint64
	seats    [2]*Local
	onChange func()
}

// Local is one seat of a Table. It is a seat as the screens use it, like a
// Session.
type Local struct {
	t      *Table
	id     rules.SeatID
	cur    State
	events chan Event
}

// NewTable starts a room on this device with the host and the young person
// seated, in the lobby, and returns their seats. onChange is called after
// every change (the screen's wake-up), without the table's lock.
func NewTable(lib *rules.Library, seed uint64, hostNick, youthNick, lang string, onChange func()) (host, youth *Local, err error) {
	t := &Table{st: rules.New(seed, lib, hostNick, lang), onChange: onChange}
	for id := range t.seats {
		t.seats[id] = &Local{t: t, id: rules.SeatID(id), events: make(chan Event, 64)}
	}
	for _, step := range []struct {
		by rules.SeatID
		a  rules.Action
	}{
		{rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: youthNick, Lang: lang}},
		{0, rules.Action{Kind: rules.ActAdmit, Seat: 1}},
	} {
		n, _, err := rules.Apply(t.st, step.by, step.a)
		if err != nil {
			return nil, nil, err
		}
		t.st = n
	}
	if len(t.st.Seats) != 2 {
		return nil, nil, errors.New("session: the table did not seat two")
	}
	t.publish(nil)
	return t.seats[0], t.seats[1], nil
}

// apply carries out a seat's action, as a room does.
func (t *Table) apply(by rules.SeatID, a rules.Action) {
	t.mu.Lock()
	n, evs, err := rules.Apply(t.st, by, a)
	if err != nil {
		var code rules.Code
		if !errors.As(err, &code) {
			code = rules.ErrUnknownAction
		}
		t.mu.Unlock()
		t.seats[by].emit(Event{Ack: &protocol.Ack{Code: code}})
		t.changed()
		return
	}
	t.st = n
	t.seq++
	t.publish(evs)
	t.mu.Unlock()
	t.changed()
}

// publish makes each seat's view of the state current and hands it its
// share of evs. The lock is held.
func (t *Table) publish(evs []rules.Event) {
	for _, s := range t.seats {
		v := rules.ViewOf(&t.st, s.id)
		st := State{Status: Online, View: v, HasView: true, Seq: t.seq, Seat: s.id, Role: v.Role, Legal: v.Legal(), Local: true}
		if t.st.Phase == rules.Closed {
			st.Status = Ended
		}
		s.cur = st
		for _, e := range rules.Personalize(&t.st, evs, s.id) {
			s.emit(Event{Rules: &e})
		}
	}
}

func (t *Table) changed() {
	if t.onChange != nil {
		t.onChange()
	}
}

// State returns the seat's newest state.
func (l *Local) State() *State {
	l.t.mu.Lock()
	defer l.t.mu.Unlock()
	st := l.cur
	return &st
}

// Events delivers the seat's one-off events; when nobody reads, the oldest
// are dropped.
func (l *Local) Events() <-chan Event { return l.events }

// Act asks the table for an action on this seat's behalf.
func (l *Local) Act(a rules.Action) { l.t.apply(l.id, a) }

// Close forgets nothing more than the table itself does: its state goes
// with the last reference to it.
func (l *Local) Close() {}

func (l *Local) emit(e Event) { offer(l.events, e) }

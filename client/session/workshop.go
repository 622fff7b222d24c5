package session

import (
	"errors"
	"sync/atomic"

	"github.com/pore/elamanipeli/shared/protocol"
)

// In a workshop a session starts as the trainer's (a Hello wanting
// WantWorkshop) or as a participant's (WantJoin with the workshop's code).
// A participant waits without a view; when the trainer pairs them the
// server says Assigned, and the session reconnects at once with the token it
// has, which is now also its seat in a room: from then on it is an ordinary
// seat. The trainer's session has no view either, only the Dashboard.

// Train queues a trainer's command. Like an action it is sent once the
// session is online, again after a reconnect until the server has it, and
// applied once.
func (s *Session) Train(c protocol.Train) {
	s.mu.Lock()
	s.pending = append(s.pending, pendingAct{cmd: &c})
	s.st.Pending = len(s.pending)
	s.mu.Unlock()
	s.publish()
	s.poke()
}

// errSeated ends a participant's workshop connection: the seat waits in a
// room, and the session reconnects to it.
var errSeated = errors.New("session: seated in a room")

// workshop handles the messages of a workshop. It returns errSeated when the
// connection should make way for the seat.
func (s *Session) workshop(m protocol.Message, welcomed chan<- struct{}, heartbeat *atomic.Int64) error {
	switch m := m.(type) {
	case protocol.Workshop:
		s.mu.Lock()
		s.st.Workshop, s.st.Trainer, s.st.Err, s.st.Status = m.Code, m.Trainer, "", Online
		s.seated(m.Token, m.LastCmd)
		token := s.st.Token
		s.mu.Unlock()
		s.publish()
		if m.Heartbeat > 0 {
			heartbeat.Store(int64(m.Heartbeat))
		}
		if s.opts.OnToken != nil {
			s.opts.OnToken(token, m.Code)
		}
		close(welcomed)
	case protocol.Dashboard:
		s.mu.Lock()
		s.st.Dashboard = &m
		s.mu.Unlock()
		s.publish()
	case protocol.Assigned:
		s.mu.Lock()
		s.st.Paired = true
		s.mu.Unlock()
		s.publish()
		return errSeated
	}
	return nil
}

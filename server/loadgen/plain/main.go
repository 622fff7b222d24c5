// Command plain is the plain Go server the game's server is measured
// against (issue 19's floor): coder/websocket and msgpack over the game's
// own protocol, a goroutine reading each connection, rooms that pass each
// action on to their members as an update, and nothing else: no rules, no
// store, no log, no limits. It speaks just enough of the protocol for the
// load generator to set its rooms up and play them:
//
//	go build -o /tmp/plain ./server/loadgen/plain
//	go run ./server/loadgen -server-bin /tmp/plain
//
// It takes the flags the load generator starts a server with, and says
// where it serves on stderr as the server does.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/server/metrics"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

func main() {
	fs := flag.NewFlagSet("plain", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `host:port`")
	debugAddr := fs.String("debug-addr", "", "serve pprof and /debug/gc on this `host:port`")
	// The game's server tells its clients to ping every 10 s: the load
	// generator pings as each Welcome says, so the two get the same load.
	heartbeat := fs.Int("heartbeat", 10, "tell clients to ping every `seconds`")
	fs.Bool("no-client", true, "ignored: there is no client")
	fs.String("data", "", "ignored: nothing is kept")
	fs.Parse(os.Args[1:])

	if *debugAddr != "" {
		l, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			fail(err)
		}
		say("serving debug", "http://"+l.Addr().String())
		go http.Serve(l, metrics.Debug())
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fail(err)
	}
	say("serving", "http://"+l.Addr().String())
	s := &server{rooms: map[string]*room{}, heartbeat: *heartbeat}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serve)
	fail(http.Serve(l, mux))
}

// say writes a log line the load generator reads.
func say(msg, url string) {
	b, _ := json.Marshal(map[string]string{"message": msg, "url": url})
	fmt.Fprintln(os.Stderr, string(b))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

type server struct {
	mu        sync.Mutex
	rooms     map[string]*room // by its code and by its spectator code
	heartbeat int              // seconds, told in the Welcome
}

// room is its members' connections, by seat, and its update count.
type room struct {
	mu      sync.Mutex
	members []*websocket.Conn
	seq     uint64
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ctx := r.Context()
	var rm *room
	var seat rules.SeatID
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		msg, err := protocol.Decode(b)
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case protocol.Hello:
			if rm != nil {
				return
			}
			var welcome protocol.Welcome
			if rm, seat, welcome = s.enter(m, ws); rm == nil {
				write(ws, protocol.Error{Code: protocol.ErrNoRoom})
				return
			}
			welcome.V = protocol.Version
			write(ws, welcome)
			write(ws, protocol.Snapshot{})
		case protocol.Ping:
			write(ws, protocol.Pong{N: m.N})
		case protocol.Act:
			if rm == nil {
				return
			}
			rm.act(ws, seat, m)
		}
	}
}

// enter seats a connection as its hello asks: nil when there is no such
// room.
func (s *server) enter(h protocol.Hello, ws *websocket.Conn) (*room, rules.SeatID, protocol.Welcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.Want == protocol.WantCreate {
		rm := &room{}
		code, watch := rand.Text()[:6], rand.Text()[:8]
		s.rooms[code], s.rooms[watch] = rm, rm
		rm.members = append(rm.members, ws)
		return rm, 0, protocol.Welcome{Seat: 0, Role: rules.Host, Code: code, Watch: watch, Heartbeat: s.heartbeat}
	}
	rm := s.rooms[h.Code]
	if rm == nil {
		return nil, 0, protocol.Welcome{}
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	seat := rules.SeatID(len(rm.members))
	rm.members = append(rm.members, ws)
	return rm, seat, protocol.Welcome{Seat: seat, Code: h.Code, Heartbeat: s.heartbeat}
}

// act answers an action. Letting a player in sends them their view; the
// other setup actions are only acknowledged; every action of the game is
// passed on to every member, its sender first, and then acknowledged.
func (rm *room) act(from *websocket.Conn, seat rules.SeatID, a protocol.Act) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	switch a.Action.Kind {
	case rules.ActDecks, rules.ActStart:
	case rules.ActAdmit:
		if int(a.Action.Seat) < len(rm.members) {
			write(rm.members[a.Action.Seat], protocol.Snapshot{})
		}
	default:
		rm.seq++
		u, _ := protocol.Encode(protocol.Update{Seq: rm.seq, Events: []rules.Event{{Kind: rules.EvReact, Seat: seat, Value: int(a.Action.Kind)}}})
		from.Write(context.Background(), websocket.MessageBinary, u)
		for _, m := range rm.members {
			if m != from {
				m.Write(context.Background(), websocket.MessageBinary, u)
			}
		}
	}
	write(from, protocol.Ack{ID: a.ID})
}

func write(ws *websocket.Conn, m protocol.Message) {
	if b, err := protocol.Encode(m); err == nil {
		ws.Write(context.Background(), websocket.MessageBinary, b)
	}
}

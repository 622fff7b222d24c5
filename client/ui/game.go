package ui

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/i18n"
	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Platform is what the game needs from the browser or the desktop.
type Platform interface {
	Get(key string) string
	Set(key, value string)
	Fragment() string
	ClearFragment()
	// Knocked is the knock the page took at its door before the game
	// started (an invitation link's nickname), once: ok is false when
	// there was none.
	Knocked() (nick string, ok bool)
	PageURL() string
	ServerWS() string
	DrawsFields() bool
	SyncFields([]platform.Field)
	Focus(id string)
	FieldEvents() []platform.FieldEvent
	Mirror(live string, actions []platform.MirrorAction)
	Mirrored() []string
	CanSpeak() bool
	Speak(text, lang string)
	StopSpeaking()
	Save(name, content string) string
	Open(url string)
	Copy(text string) bool
	Mark(name string)
	PickFile(accept string, done func(name string, data []byte)) bool
	Post(path, token string, headers map[string]string, data []byte, done func(status int, body []byte))
	// Fetch gets path from the page's own server; status 0: no answer.
	Fetch(path string, done func(status int, body []byte))
}

// Seat is a session as the screen uses it: client/session provides it, and
// tests give a fixed one.
type Seat interface {
	State() *session.State
	Events() <-chan session.Event
	Act(rules.Action)
	Close()
}

// Settings are the player's choices on this device.
type Settings struct {
	Lang     string
	Text     float64 // text size, 1 to 2
	Contrast bool
	Wide     bool // wider letter and line spacing
}

// TextSizes are the steps the text size setting offers.
var TextSizes = []float64{1, 1.25, 1.5, 1.75, 2}

// Options start a game.
type Options struct {
	Platform Platform
	Now      func() time.Time
	// Session starts a session; nil uses session.Start. Tests swap it.
	Session func(session.Options) Seat
	// Scale fixes the device pixels per dp; 0 asks the monitor.
	Scale float64
}

// Game is the whole client screen: what every scene shares. What belongs
// to one scene alone is that scene's (scene.go); the scenes that keep it
// from one visit to the next are the fields at the end.
type Game struct {
	p     Platform
	now   func() time.Time
	start func(session.Options) Seat
	set   Settings
	t     i18n.T
	ts    typesetter
	th    *Theme
	in    reader

	w, h       float64 // the screen, dp
	scale      float64 // device pixels per dp
	fixedScale float64

	sess       Seat
	lastErr    rules.Code // why the last session ended, shown on the start screen
	joining    string     // a room code from a link
	toWorkshop bool       // and the link is to a workshop
	frag       string     // the page's link last followed
	watch      string     // a spectator code from a link

	overlay  string             // a panel over the scene: settings, check, decks, write, own
	focus    string             // the focused widget
	scroll   map[string]float64 // by scene
	fields   map[string]*Field
	frame    *Frame
	toasts   []toast
	hotseat  bool // host and player share this device
	side     rules.SeatID
	extra    Seat                  // the player's seat in hot-seat
	demo     *bot.Bot              // a bot in the player's seat, for a trainer's demo
	admitted map[rules.SeatID]bool // this device's own extra seats, let in already
	timer    *time.Timer
	timerAt  time.Time
	drawn    bool        // the first frame is on screen
	later    chan func() // work from other goroutines, run in Update
	updated  bool

	home  startScene     // the start screen (scene_start.go)
	check checkScene     // the "check a deck file" screen (scene_check.go)
	decks decksScene     // the host's choice of decks (scene_lobby.go)
	dash  dashboardScene // the trainer's dashboard (scene_dashboard.go)
	table tableScene     // the game in play (scene_table.go)
}

type toast struct {
	text  string
	until time.Time
}

// New makes the game. It reads the device's settings and the page's link.
func New(o Options) *Game {
	g := &Game{later: make(chan func(), 16), p: o.Platform, now: o.Now, start: o.Session, fixedScale: o.Scale, scroll: map[string]float64{}, fields: map[string]*Field{}, side: rules.NoSeat}
	if g.now == nil {
		g.now = time.Now
	}
	if g.start == nil {
		g.start = func(o session.Options) Seat { return session.Start(o) }
	}
	g.set = Settings{Lang: g.p.Get("lang"), Text: 1}
	if v, err := strconv.ParseFloat(g.p.Get("text"), 64); err == nil && v >= 1 && v <= 2 {
		g.set.Text = v
	}
	g.set.Contrast = g.p.Get("contrast") == "1"
	g.set.Wide = g.p.Get("wide") == "1"
	g.applySettings()
	platform.OnWake(frame)

	g.readLink()
	if nick, ok := g.p.Knocked(); ok && g.joining != "" {
		g.knock(nick)
	} else if tok := g.p.Get("token"); tok != "" {
		g.open(protocol.Hello{Want: protocol.WantResume, Token: tok})
		if tok2 := g.p.Get("token2"); tok2 != "" { // hot-seat: the youth's side too
			g.openExtra(protocol.Hello{Want: protocol.WantResume, Token: tok2})
		}
	} else if g.watch != "" {
		g.open(protocol.Hello{Want: protocol.WantWatch, Code: g.watch, Lang: g.set.Lang})
	}
	return g
}

func (g *Game) applySettings() {
	if g.set.Lang == "" {
		g.set.Lang = "fi"
	}
	g.t = i18n.For(g.set.Lang)
	g.th = &Calm
	if g.set.Contrast {
		g.th = &HighContrast
	}
	g.ts.text, g.ts.spacing = g.set.Text, g.set.Wide
	g.p.Set("lang", g.set.Lang)
	g.p.Set("text", strconv.FormatFloat(g.set.Text, 'f', 2, 64))
	g.p.Set("contrast", map[bool]string{true: "1"}[g.set.Contrast])
	g.p.Set("wide", map[bool]string{true: "1"}[g.set.Wide])
}

// readLink follows the page's link when it changes: #join=CODE knocks on a
// room, #workshop=CODE joins a trainer's workshop, #watch=CODE watches a
// room. It runs at the start and in every update, so a new link opened in a
// tab that already runs the game is followed at once. A link to another
// room than this device's seat starts afresh there, as a reload does; a
// link to the seat's own room keeps the seat.
func (g *Game) readLink() {
	frag := g.p.Fragment()
	if frag == g.frag {
		return
	}
	g.frag = frag
	kind, code, _ := strings.Cut(frag, "=")
	if code == "" || kind != "join" && kind != "workshop" && kind != "watch" {
		return
	}
	if normalizeCode(code) == g.p.Get("room") {
		return
	}
	if g.sess != nil {
		g.leave()
	}
	g.p.Set("token", "")
	switch kind {
	case "watch":
		g.watch = code
		if g.updated { // a running tab; at the start New opens it
			g.open(protocol.Hello{Want: protocol.WantWatch, Code: code, Lang: g.set.Lang})
		}
	default:
		g.joining, g.toWorkshop = code, kind == "workshop"
	}
}

// startLocal starts a game on this device alone: the room runs here
// (session.Table), the worker's and the young person's seats share the
// screen as in hot-seat, and nothing of it is kept: a reload forgets it.
// The decks come from the server the first time (GET /decks, 260 KB, so
// only when asked for) and stay in memory.
func (g *Game) startLocal(nick string) {
	if g.home.decks == nil {
		if g.home.fetching {
			return
		}
		g.home.fetching = true
		g.p.Fetch("/decks", func(status int, body []byte) {
			var decks []*deck.Deck
			if status == 200 {
				decks, _ = protocol.DecodeDecks(body)
			}
			g.soon(func() {
				g.home.fetching = false
				if len(decks) == 0 {
					g.toast(g.t.S("local.no-decks"))
					return
				}
				g.home.decks = decks
				g.startLocal(nick)
			})
		})
		return
	}
	seed := uint64(g.now().UnixNano())
	host, youth, err := session.NewTable(rules.NewLibrary(g.home.decks...), seed, nick, g.t.S("hotseat.youth-nick"), g.set.Lang, frame)
	if err != nil {
		g.toast(g.t.Err(protocol.ErrBusy))
		return
	}
	g.lastErr = ""
	g.sess, g.extra = host, youth
	g.hotseat, g.side = true, 0
}

// knock knocks on the room (or joins the workshop) a link brought the
// player to.
func (g *Game) knock(nick string) {
	g.open(protocol.Hello{Want: protocol.WantJoin, Code: g.joining, Nick: nick, Lang: g.set.Lang})
}

// open starts a session as hello asks.
func (g *Game) open(hello protocol.Hello) {
	if g.sess != nil {
		g.sess.Close()
	}
	g.lastErr = ""
	g.sess = g.start(session.Options{
		URL:      g.p.ServerWS(),
		Hello:    hello,
		OnChange: frame,
		OnToken: func(token, code string) {
			g.p.Set("token", token)
			g.p.Set("room", code)
		},
	})
	g.p.ClearFragment()
}

// openExtra opens the second seat of a shared device (hot-seat).
func (g *Game) openExtra(hello protocol.Hello) {
	g.extra = g.start(session.Options{
		URL:      g.p.ServerWS(),
		Hello:    hello,
		OnChange: frame,
		OnToken:  func(token, code string) { g.p.Set("token2", token) },
	})
	g.hotseat, g.side = true, 0
}

// startHotseat lets the worker and the young person share this device: a
// second seat joins the room as the player, and the host lets it in.
func (g *Game) startHotseat() {
	st := g.sess.State()
	g.openExtra(protocol.Hello{Want: protocol.WantJoin, Code: st.Code, Nick: g.t.S("hotseat.youth-nick"), Lang: g.set.Lang})
}

// startDemo fills the player's seat with a bot, for a trainer to show the
// game to a group.
func (g *Game) startDemo() {
	st := g.sess.State()
	g.demo = bot.Start(session.Options{
		URL:   g.p.ServerWS(),
		Hello: protocol.Hello{Want: protocol.WantJoin, Code: st.Code, Nick: g.t.S("demo.nick"), Lang: g.set.Lang},
	}, bot.Demo(uint64(g.now().UnixNano())))
	go g.demo.Run(context.Background())
}

// ownSeats are the seats this device opened besides its own: the youth's
// side in hot-seat and a demo bot.
func (g *Game) ownSeats() []rules.SeatID {
	var ids []rules.SeatID
	if g.extra != nil {
		if st := g.extra.State(); st.Seat >= 0 {
			ids = append(ids, st.Seat)
		}
	}
	if g.demo != nil {
		if st := g.demo.Session().State(); st.Seat >= 0 {
			ids = append(ids, st.Seat)
		}
	}
	return ids
}

// leave ends the session on this device and forgets its seat.
func (g *Game) leave() {
	if g.sess != nil {
		go g.sess.Close()
		g.sess = nil
	}
	if g.extra != nil {
		go g.extra.Close()
		g.extra = nil
	}
	if g.demo != nil {
		go g.demo.Close()
		g.demo = nil
	}
	g.p.Set("token", "")
	g.p.Set("token2", "")
	g.p.Set("room", "")
	g.p.Set("hotseat", "")
	g.hotseat, g.side = false, rules.NoSeat
	g.overlay, g.joining, g.watch, g.table.confirm = "", "", "", ""
	g.decks.picks, g.toWorkshop = nil, false
	g.p.StopSpeaking()
}

// act asks the room for an action on behalf of the seat shown.
func (g *Game) act(a rules.Action) {
	if s := g.current(); s != nil {
		s.Act(a)
	}
}

// Layout makes the screen as large as the window in device pixels, so text
// stays crisp on every screen.
func (g *Game) Layout(w, h int) (int, int) {
	s := g.fixedScale
	if s == 0 {
		s = ebiten.Monitor().DeviceScaleFactor()
	}
	if s <= 0 {
		s = 1
	}
	g.scale = s
	g.ts.scale = s
	g.w, g.h = float64(w), float64(h)
	return int(math.Ceil(float64(w) * s)), int(math.Ceil(float64(h) * s))
}

// Update reads input, follows the session and lays out the next frame. It
// never waits for the network.
func (g *Game) Update() error {
	if g.scale == 0 {
		return nil
	}
	if !g.updated {
		g.updated = true
		g.p.Mark("first-update")
	}
	in := g.in.read(g.scale)
	for done := false; !done; {
		select {
		case fn := <-g.later:
			fn()
		default:
			done = true
		}
	}
	g.readLink()
	g.readFields()
	g.follow()
	g.build()
	if g.handle(in) {
		g.build()
	}
	g.syncFields()
	g.mirror()
	if g.moving() {
		frame()
	}
	return nil
}

// Draw paints the last frame.
func (g *Game) Draw(screen *ebiten.Image) {
	screen.Fill(g.th.Bg)
	if g.frame == nil {
		return
	}
	for _, op := range g.frame.ops {
		op(screen)
	}
	if !g.drawn {
		g.drawn = true
		g.p.Mark("first-frame")
	}
}

// current is the session of the seat on screen (the player's in hot-seat).
func (g *Game) current() Seat {
	if g.hotseat && g.extra != nil && g.side != 0 {
		return g.extra
	}
	return g.sess
}

// follow reads what the session has to say.
func (g *Game) follow() {
	for _, s := range []Seat{g.sess, g.extra} {
		if s == nil {
			continue
		}
	drain:
		for {
			select {
			case e := <-s.Events():
				g.event(s, e)
			default:
				break drain
			}
		}
	}
	if g.sess == nil {
		return
	}
	st := g.sess.State()
	if st.Status == session.Ended && !(st.HasView && st.View.Phase >= rules.Summary) {
		// The session is over before the game was: say why on the start
		// screen and forget the seat.
		g.lastErr = st.Err
		if st.Err == "" && !st.Local { // a game on this device was stopped by its players
			g.lastErr = protocol.ErrRoomClosed
		}
		g.leave()
		return
	}
	// The host lets in the seats this device opened itself.
	if st.HasView && st.View.Role == rules.Host && st.Legal.Has(rules.ActAdmit) {
		for _, id := range g.ownSeats() {
			if s := st.View.Seat(id); s != nil && s.Status == rules.Knocking && !g.admitted[id] {
				if g.admitted == nil {
					g.admitted = map[rules.SeatID]bool{}
				}
				g.admitted[id] = true
				g.sess.Act(rules.Action{Kind: rules.ActAdmit, Seat: id})
			}
		}
	}
	if st.HasView && st.View.Step != nil && g.table.turn(st.View.Step, g.now()) {
		g.focus = ""
		g.scroll["table"] = 0
	}
}

func (g *Game) event(s Seat, e session.Event) {
	now := g.now()
	switch {
	case e.Ack != nil && e.Ack.Code != "":
		g.toast(g.t.Err(e.Ack.Code))
	case e.Notice != nil:
		switch e.Notice.Kind {
		case protocol.NoticeRestarting:
			g.toast(g.t.S("notice.restarting"))
		case protocol.NoticeMessage:
			g.toast(g.t.S("notice.message", e.Notice.Text))
		case protocol.NoticeTimeLeft:
			g.toast(g.t.S("notice.time-left", e.Notice.Minutes))
		case protocol.NoticeEnding:
			g.toast(g.t.S("notice.ending"))
		case protocol.NoticeWatch:
			g.toast(g.t.S("lobby.watch-new"))
		}
	case e.Rules != nil && s == g.current():
		if e.Rules.Kind == rules.EvReact {
			g.table.react(e.Rules, now)
		}
		g.table.news = g.describe(s.State(), e.Rules)
	}
}

// describe says in words what an event changed, for the screen-reader
// mirror. Answering and passing read the same: a pass is never singled out.
func (g *Game) describe(st *session.State, e *rules.Event) string {
	if !st.HasView {
		return ""
	}
	v := &st.View
	switch e.Kind {
	case rules.EvAnswer, rules.EvPass, rules.EvRate:
		return g.says(v, e.Seat, "news.took-turn")
	case rules.EvChoose:
		if v.Step != nil && e.Value >= 0 && e.Value < len(v.Step.Card.Choices) && e.Seat >= 0 {
			return g.says(v, e.Seat, "news.chose", v.Step.Card.Choices[e.Value])
		}
	case rules.EvReact:
		if e.Value >= 0 && e.Value < len(rules.Reactions) {
			return g.says(v, e.Seat, "news.react", g.t.S("react."+rules.Reactions[e.Value]))
		}
	case rules.EvJoin:
		return g.says(v, e.Seat, "news.joined")
	case rules.EvGone:
		who := g.nick(v, e.Seat)
		if e.SeatInfo != nil && e.SeatInfo.Nick != "" {
			who = e.SeatInfo.Nick
		}
		return g.t.S("news.left", who)
	case rules.EvBookmark:
		if e.On {
			return g.t.S("news.bookmarked")
		}
	case rules.EvBlank:
		return g.says(v, e.Seat, "news.own-question")
	}
	return ""
}

// says builds a sentence of someone doing something: in the second person
// ("Käytit vuorosi") when it is the seat on this screen, with the name
// otherwise ("Aino käytti vuoronsa"). Finnish and Swedish verbs change with
// the person, so each sentence has a key of its own for "you".
func (g *Game) says(v *rules.View, seat rules.SeatID, key string, args ...any) string {
	if seat == v.Me {
		return g.t.S(key+".you", args...)
	}
	return g.t.S(key, append([]any{g.nick(v, seat)}, args...)...)
}

func (g *Game) toast(s string) {
	g.toasts = append(g.toasts, toast{text: s, until: g.now().Add(5 * time.Second)})
}

// moving reports whether something is animating, so frames keep coming.
func (g *Game) moving() bool {
	now := g.now()
	if g.table.moving(now) {
		return true
	}
	g.toasts = slices.DeleteFunc(g.toasts, func(t toast) bool { return now.After(t.until) })
	if len(g.toasts) > 0 {
		g.wakeAt(g.toasts[0].until) // nothing moves, but the toast must go away
	}
	return false
}

// frame asks for a frame to be drawn, in a browser at once (platform.Hurry).
func frame() {
	ebiten.ScheduleFrame()
	platform.Hurry()
}

// wakeAt makes sure a frame is drawn at t.
func (g *Game) wakeAt(t time.Time) {
	if g.timer != nil && !g.timerAt.After(t) && g.timerAt.After(g.now()) {
		return
	}
	if g.timer != nil {
		g.timer.Stop()
	}
	g.timerAt = t
	g.timer = time.AfterFunc(t.Sub(g.now())+10*time.Millisecond, frame)
}

// soon runs fn in the game loop; callbacks from the page or the network use
// it to touch the game.
func (g *Game) soon(fn func()) {
	select {
	case g.later <- fn:
	default: // the game is far behind; drop rather than block a callback
	}
	frame()
}

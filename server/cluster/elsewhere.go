package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Elsewhere brings a place this node does not run within reach (the
// directory's place.Elsewhere): a relay to the node that runs it, or the
// room itself, taken over when its owner has gone.
func (c *Cluster) Elsewhere(ctx context.Context, id string, home place.Home) (*place.Kernel, rules.Code) {
	if home.Node != "" {
		// A workshop lives where it was made, and ends with its node.
		if home.Node == c.n.Name() || !c.n.Alive(ctx, home.Node, home.Epoch) {
			return nil, protocol.ErrWorkshopClosed
		}
		return c.relayTo(id, home.Node, home.Epoch)
	}
	// A room moves: to its owner, or to this node when the owner has
	// gone. An owner that went still holds its lease for a few seconds:
	// the client waits for it to lapse rather than find the room gone.
	for {
		if c.places.Closing() {
			return nil, protocol.ErrBusy
		}
		owner, epoch, err := c.st.Owner(ctx, id)
		switch {
		case errors.Is(err, store.ErrGone):
			return nil, "" // the room ended
		case err != nil:
			return nil, protocol.ErrBusy
		case owner != "" && (owner != c.n.Name() || epoch != c.n.Epoch()) && c.n.Alive(ctx, owner, epoch):
			return c.relayTo(id, owner, epoch)
		case owner == c.n.Name() && epoch == c.n.Epoch():
			if k := c.places.Find(place.Name{NS: place.ID, S: id}); k != nil {
				return k, ""
			}
			return nil, protocol.ErrBusy // coming back here this moment
		}
		r, err := c.rooms.TakeOver(ctx, id)
		if err == nil {
			c.log.Info().Str("room", id).Msg("room taken over")
			return r.Kernel(), ""
		}
		if !errors.Is(err, store.ErrOwned) {
			c.log.Warn().Err(err).Str("room", id).Msg("room not taken over; the client tries again")
			return nil, protocol.ErrBusy
		}
		// Another node was quicker, or the owner's lease holds yet.
		select {
		case <-ctx.Done():
			return nil, protocol.ErrBusy
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Remote reaches the rooms on other nodes, for the hub.
func (c *Cluster) Remote() room.Remote { return remoteRooms{c} }

type remoteRooms struct{ c *Cluster }

// Ask asks a room on another node for its progress.
func (r remoteRooms) Ask(id string, reply func(room.Report)) bool {
	c := r.c
	return c.callOwner(id, wire{Op: opAsk, Place: id}, func(ans wire, gone bool) {
		switch {
		case gone:
			reply(room.Report{ID: id, Gone: true})
		case ans.Report != nil:
			reply(*ans.Report)
		}
	})
}

// Tell hands a room on another node a notice.
func (r remoteRooms) Tell(id string, n protocol.Notice) bool {
	return r.c.callOwner(id, wire{Op: opTell, Place: id, Notice: &n}, nil)
}

// Close closes a room on another node.
func (r remoteRooms) Close(id string) bool {
	return r.c.callOwner(id, wire{Op: opShut, Place: id}, nil)
}

// callOwner sends w to the owner of room id in the background, and hands
// done the answer (or that the room is gone). It reports false when the
// room has no live owner now: ask again later.
func (c *Cluster) callOwner(id string, w wire, done func(ans wire, gone bool)) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	owner, epoch, err := c.st.Owner(ctx, id)
	if errors.Is(err, store.ErrGone) {
		cancel()
		if done != nil {
			done(wire{}, true)
		}
		return true
	}
	if err != nil || owner == "" || !c.n.Alive(ctx, owner, epoch) {
		cancel()
		return false
	}
	go func() {
		defer cancel()
		ans, err := c.request(ctx, owner, w)
		if err == nil && ans.Code == "" && done != nil {
			done(ans, false)
		}
	}()
	return true
}

// Run sweeps until Close: it takes over the rooms no live node owns that no
// client came back to within the grace (their window must run somewhere),
// hands back the rooms owned here that have not run here for the grace
// (stranded), and lets go of the rooms taken under a lease each time this
// node loses one.
func (c *Cluster) Run() {
	defer close(c.done)
	t := time.NewTicker(c.sweep)
	defer t.Stop()
	seen := map[string]time.Time{}
	var strand stranded
	lost := c.n.Lost()
	for {
		select {
		case <-c.stop:
			return
		case <-lost:
			c.rooms.LetGo("the node's lease was lost")
			lost = nil // until the node has a lease again
			continue
		case <-t.C:
		}
		if lost == nil && c.n.LeaseValid() {
			lost = c.n.Lost() // the new lease's
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.sweep)
		ids, mine, err := c.st.Owners(ctx)
		cancel()
		if err != nil {
			continue
		}
		now := time.Now()
		var giveBack []store.Owned
		strand, giveBack = strand.sweep(mine, func(id string) bool { return c.rooms.Local(id) != nil }, now, c.grace)
		for _, o := range giveBack {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := c.st.GiveBack(ctx, o); err == nil {
				c.log.Warn().Str("room", o.ID).Msg("a room owned here and running nowhere handed back")
			}
			cancel()
		}
		next := map[string]time.Time{}
		for _, id := range ids {
			first, ok := seen[id]
			if !ok {
				first = now
			}
			if now.Sub(first) < c.grace {
				next[id] = first
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := c.rooms.TakeOver(ctx, id); err == nil {
				c.log.Info().Str("room", id).Msg("room nobody came back to taken over")
			}
			cancel()
		}
		seen = next
	}
}

// stranded are the rooms the store gives to this node, under its lease
// now, that do not run here: by id, the owner entry's revision and when a
// sweep first saw it so. A write whose answer was lost can leave a room
// so (the store undoes those it knows of); its clients would be told the
// room is busy for as long as the node lives.
type stranded map[string]strandedSince

type strandedSince struct {
	rev   uint64
	first time.Time
}

// sweep takes a sweep's list of the rooms this node owns, and returns what
// stays stranded and the rooms to give back: those stranded, with the same
// owner entry, for grace (a room being made or taken over here is not
// running yet for a moment).
func (s stranded) sweep(mine []store.Owned, here func(id string) bool, now time.Time, grace time.Duration) (stranded, []store.Owned) {
	next := stranded{}
	var giveBack []store.Owned
	for _, o := range mine {
		if here(o.ID) {
			continue
		}
		since, ok := s[o.ID]
		if !ok || since.rev != o.Rev {
			since = strandedSince{rev: o.Rev, first: now}
		}
		if now.Sub(since.first) >= grace {
			giveBack = append(giveBack, o)
			continue
		}
		next[o.ID] = since
	}
	return next, giveBack
}

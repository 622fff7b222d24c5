// Package metrics exposes the server's numbers: Prometheus metrics for
// /metrics (rooms, connections, frames in and out, slow clients dropped, how
// long an action takes inside the server, how long a room takes to save, how
// far its log lags; and, as one node of a service, rooms taken over and let
// go, frames relayed, lease renewals and losses), and, for load tests and
// profiling, a debug handler that is never on the public port.
//
// Every figure is this server's own (a node's): a service of several is the
// sum of its nodes, which Prometheus adds up.
//
// The rooms keep their counts with atomic adds (room.Stats, and node, store
// and cluster Stats); this package only reads them when scraped, so metrics
// cost the hot path nothing more.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pore/elamanipeli/server/cluster"
	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/store"
)

const namespace = "elamanipeli"

// Node is what a server counts as a node of the service: its lease, its
// store and, when it is one of several, its relays. A nil field is not
// counted (not started yet, or alone).
type Node struct {
	Node    *node.Stats
	Store   *store.Stats
	Cluster *cluster.Stats
}

// Handler serves the hub's metrics, the node's (node, when not nil, tells
// what it has at each scrape), the Go runtime's and the process's, in the
// Prometheus text format.
func Handler(hub *room.Hub, node func() Node) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&hubCollector{hub: hub, node: node},
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

var (
	descRooms = prometheus.NewDesc(namespace+"_rooms", "Rooms open on this server: the rooms it owns.", nil, nil)
	descConns = prometheus.NewDesc(namespace+"_connections", "Connections seated in a room.", nil, nil)
	descIn    = prometheus.NewDesc(namespace+"_frames_in_total", "Frames read from clients, hellos included.", nil, nil)
	descActs  = prometheus.NewDesc(namespace+"_actions_total", "Actions evaluated (applied or refused).", nil, nil)
	descOut   = prometheus.NewDesc(namespace+"_frames_out_total", "Frames queued to clients.", nil, nil)
	descSlow  = prometheus.NewDesc(namespace+"_slow_clients_dropped_total", "Connections dropped because they fell behind.", nil, nil)
	descAct   = prometheus.NewDesc(namespace+"_action_seconds",
		"Time from an action's frame being read to every frame it caused being queued.", nil, nil)
	descSave = prometheus.NewDesc(namespace+"_store_save_seconds", "Time to write one room snapshot to the store.", nil, nil)
	descLag  = prometheus.NewDesc(namespace+"_log_lag_seconds",
		"Time from the oldest entry of a room's log write being noted to the write being stored: how much a crash could lose.", nil, nil)
	descUnlogged = prometheus.NewDesc(namespace+"_log_unwritten_entries", "Entries of the rooms' logs not yet stored.", nil, nil)
	descLost     = prometheus.NewDesc(namespace+"_rooms_let_go_total",
		"Rooms this server stopped because another server owns them now, its lease lapsed or its store failed.", nil, nil)
	descTaken = prometheus.NewDesc(namespace+"_rooms_taken_over_total",
		"Rooms this server took over from a server that went (crashed, stopped or paused past its lease; or its own earlier run).", nil, nil)
	descRenewals = prometheus.NewDesc(namespace+"_lease_renewals_total", "Renewals of this server's lease.", nil, nil)
	descLosses   = prometheus.NewDesc(namespace+"_lease_losses_total", "Times this server's lease lapsed before it was renewed.", nil, nil)
	descRelayed  = prometheus.NewDesc(namespace+"_relayed_frames_total",
		"Frames of clients whose room runs on another server: in, from clients this server's rooms serve for other servers; out, to clients this server relays.",
		[]string{"direction"}, nil)
	descRelays = prometheus.NewDesc(namespace+"_relays", "Clients this server relays to their room on another server.", nil, nil)
)

// hubCollector reads the hub's and the node's counts at each scrape.
type hubCollector struct {
	hub  *room.Hub
	node func() Node
}

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRooms, descConns, descIn, descActs, descOut, descSlow, descAct, descSave,
		descLag, descUnlogged, descLost, descTaken, descRenewals, descLosses, descRelayed, descRelays} {
		ch <- d
	}
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	n := c.hub.Counts()
	ch <- prometheus.MustNewConstMetric(descRooms, prometheus.GaugeValue, float64(n.Rooms))
	ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(n.Conns))
	ch <- prometheus.MustNewConstMetric(descIn, prometheus.CounterValue, float64(n.In))
	ch <- prometheus.MustNewConstMetric(descActs, prometheus.CounterValue, float64(n.Actions))
	ch <- prometheus.MustNewConstMetric(descOut, prometheus.CounterValue, float64(n.Out))
	ch <- prometheus.MustNewConstMetric(descSlow, prometheus.CounterValue, float64(n.Slow))
	ch <- histogram(descAct, c.hub.ActionLatency())
	ch <- histogram(descSave, c.hub.SaveLatency())
	ch <- histogram(descLag, c.hub.LogLag())
	ch <- prometheus.MustNewConstMetric(descUnlogged, prometheus.GaugeValue, float64(n.Unlogged))
	ch <- prometheus.MustNewConstMetric(descLost, prometheus.CounterValue, float64(n.Lost))
	if c.node == nil {
		return
	}
	nd := c.node()
	if s := nd.Node; s != nil {
		ch <- prometheus.MustNewConstMetric(descRenewals, prometheus.CounterValue, float64(s.Renewals.Load()))
		ch <- prometheus.MustNewConstMetric(descLosses, prometheus.CounterValue, float64(s.Losses.Load()))
	}
	if s := nd.Store; s != nil {
		ch <- prometheus.MustNewConstMetric(descTaken, prometheus.CounterValue, float64(s.TakenOver.Load()))
	}
	if s := nd.Cluster; s != nil {
		ch <- prometheus.MustNewConstMetric(descRelayed, prometheus.CounterValue, float64(s.RelayedIn.Load()), "in")
		ch <- prometheus.MustNewConstMetric(descRelayed, prometheus.CounterValue, float64(s.RelayedOut.Load()), "out")
		ch <- prometheus.MustNewConstMetric(descRelays, prometheus.GaugeValue, float64(s.Relays.Load()))
	}
}

// histogram turns the room package's counts into a Prometheus histogram
// (cumulative buckets, in seconds).
func histogram(d *prometheus.Desc, h room.HistogramCounts) prometheus.Metric {
	buckets := make(map[float64]uint64, len(room.Bounds))
	var cum uint64
	for i, b := range room.Bounds {
		cum += h.Buckets[i]
		buckets[b.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(d, h.Count(), h.Sum.Seconds(), buckets)
}

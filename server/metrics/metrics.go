// Package metrics exposes the server's numbers: Prometheus metrics for
// /metrics (rooms, connections, frames in and out, slow clients dropped, how
// long an action takes inside the server, how long a room takes to save),
// and, for load tests and profiling, a debug handler that is never on the
// public port.
//
// The rooms keep their counts with atomic adds (room.Stats); this package
// only reads them when scraped, so metrics cost the hot path nothing more.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pore/elamanipeli/server/room"
)

const namespace = "elamanipeli"

// Handler serves the hub's metrics, the Go runtime's and the process's, in
// the Prometheus text format.
func Handler(hub *room.Hub) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&hubCollector{hub: hub},
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

var (
	descRooms = prometheus.NewDesc(namespace+"_rooms", "Rooms open.", nil, nil)
	descConns = prometheus.NewDesc(namespace+"_connections", "Connections seated in a room.", nil, nil)
	descIn    = prometheus.NewDesc(namespace+"_frames_in_total", "Frames read from clients, hellos included.", nil, nil)
	descActs  = prometheus.NewDesc(namespace+"_actions_total", "Actions evaluated (applied or refused).", nil, nil)
	descOut   = prometheus.NewDesc(namespace+"_frames_out_total", "Frames queued to clients.", nil, nil)
	descSlow  = prometheus.NewDesc(namespace+"_slow_clients_dropped_total", "Connections dropped because they fell behind.", nil, nil)
	descAct   = prometheus.NewDesc(namespace+"_action_seconds",
		"Time from an action's frame being read to every frame it caused being queued.", nil, nil)
	descSave = prometheus.NewDesc(namespace+"_store_save_seconds", "Time to write one room snapshot to the store.", nil, nil)
)

// hubCollector reads the hub's counts at each scrape.
type hubCollector struct{ hub *room.Hub }

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRooms, descConns, descIn, descActs, descOut, descSlow, descAct, descSave} {
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

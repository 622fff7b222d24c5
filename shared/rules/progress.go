package rules

// Progress is how far a session has come and nothing of what was said in it:
// what a trainer's dashboard shows of a practice room. It holds no card,
// answer, rating, note or nickname, so a dashboard built from it cannot
// leak one.
type Progress struct {
	Phase  Phase
	Played int      // cards on the path so far
	Passes int      // cards passed, by anyone
	Paused bool     // paused by someone while playing (not merely the host away)
	Online []SeatID // seats at the table (host and players) whose connection is up
}

// ProgressOf returns the progress of s.
func ProgressOf(s *State) Progress {
	p := Progress{Phase: s.Phase, Played: len(s.Path), Paused: s.Paused && s.Phase == Playing}
	for i := range s.Path {
		for _, a := range s.Path[i].Answers {
			if a.Passed {
				p.Passes++
			}
		}
	}
	for _, seat := range s.Seats {
		if seat.Status == In && seat.Role != Spectator && seat.Online {
			p.Online = append(p.Online, seat.ID)
		}
	}
	return p
}

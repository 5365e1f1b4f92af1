package store

import (
	"context"
	"time"
)

// ExecHistory is S-ExecHistory: who changed an execution, when, and the
// change reason (null for the creation record).
type ExecHistory struct {
	HistoryUserUsername *string   `json:"history_user__username" db:"history_user__username"`
	HistoryChangeReason *string   `json:"history_change_reason" db:"history_change_reason"`
	HistoryDate         time.Time `json:"history_date" db:"history_date"`
}

// ExecutionHistory lists an execution's history rows, newest first; a
// missing execution is NotFound.
func (s *Store) ExecutionHistory(ctx context.Context, id int64) ([]ExecHistory, error) {
	rows, err := s.q.TestExecutionHistory(ctx, id)
	if err == nil && len(rows) == 0 {
		// No rows: is there such an execution?
		_, err = s.q.TestExecutionKeyShare(ctx, id)
	}
	out := make([]ExecHistory, len(rows))
	for i, r := range rows {
		out[i] = ExecHistory{HistoryUserUsername: r.HistoryUserUsername, HistoryDate: r.HistoryDate}
		if reason, ok := r.HistoryChangeReason.(string); ok {
			out[i].HistoryChangeReason = &reason
		}
	}
	return out, translate(err, "TestExecution")
}

package store

import (
	"context"
	"math"
)

// RunSummary is TestRun.summary's reply: how many executions the run has
// in all, per status name (every status, 0 when none) and per weight
// class; the share of them with a positive or negative status, in
// percent; and whether the run passed: it has executions, none negative
// and none neutral (not run yet).
type RunSummary struct {
	Run        int64            `json:"run"`
	Total      int64            `json:"total"`
	Statuses   map[string]int64 `json:"statuses"`
	Positive   int64            `json:"positive"`
	Neutral    int64            `json:"neutral"`
	Negative   int64            `json:"negative"`
	Completion float64          `json:"completion"`
	Passed     bool             `json:"passed"`
}

// TestRunSummary answers TestRun.summary in one statement.
func (s *Store) TestRunSummary(ctx context.Context, runID int64) (RunSummary, error) {
	rows, err := s.q.TestRunSummary(ctx, runID)
	if err != nil {
		return RunSummary{}, translate(err, "TestRun")
	}
	if len(rows) == 0 || !rows[0].RunExists {
		return RunSummary{}, Errorf(NotFound, "TestRun matching query does not exist.")
	}
	sum := RunSummary{Run: runID, Statuses: make(map[string]int64, len(rows))}
	for _, r := range rows {
		sum.Statuses[r.Name] += r.Executions
		sum.Total += r.Executions
		switch weightKey(r.Weight) {
		case "positive":
			sum.Positive += r.Executions
		case "negative":
			sum.Negative += r.Executions
		default:
			sum.Neutral += r.Executions
		}
	}
	if sum.Total > 0 {
		sum.Completion = math.Round(10000*float64(sum.Positive+sum.Negative)/float64(sum.Total)) / 100
	}
	sum.Passed = sum.Total > 0 && sum.Negative == 0 && sum.Neutral == 0
	return sum, nil
}

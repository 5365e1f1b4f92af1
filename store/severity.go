package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// CreateSeverity adds a bug severity (v.ID is ignored); a taken name is a
// Conflict.
func (s *Store) CreateSeverity(ctx context.Context, v WeightedStatus) (WeightedStatus, error) {
	row, err := s.q.SeverityCreate(ctx, db.SeverityCreateParams{Name: v.Name, Weight: v.Weight, Icon: v.Icon, Color: v.Color})
	return WeightedStatus(row), translate(err, "Severity")
}

var severityEntity = weightedEntity("Severity", "severities")

// FilterSeverities answers a Kiwi query dict over severities, by id (Kiwi
// gives no order).
func (s *Store) FilterSeverities(ctx context.Context, query map[string]any) ([]WeightedStatus, error) {
	return filterRows(ctx, s, severityEntity, query, (*db.Queries).SeverityFilter, func(r db.Severity) WeightedStatus {
		return WeightedStatus(r)
	})
}

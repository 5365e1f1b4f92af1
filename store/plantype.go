package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// PlanType is a kind of test plan, S-PlanType.
type PlanType struct {
	ID          int64   `json:"id" db:"id"`
	Name        string  `json:"name" db:"name"`
	Description *string `json:"description" db:"description"`
}

// CreatePlanType adds a plan type; a taken name is a Conflict.
func (s *Store) CreatePlanType(ctx context.Context, name, description string) (PlanType, error) {
	row, err := s.q.PlanTypeCreate(ctx, db.PlanTypeCreateParams{Name: name, Description: &description})
	// Django names the model by its verbose name in unique errors.
	return PlanType(row), translate(err, "Plan type")
}

var planTypeEntity = entity(&Entity{Model: "PlanType", From: "FROM plan_types pt", Fields: map[string]Field{
	"id": {Expr: "pt.id", Kind: IntField}, "name": {Expr: "pt.name", Kind: TextField},
	"description": {Expr: "pt.description", Kind: TextField},
}})

// FilterPlanTypes answers a Kiwi query dict over plan types, by id.
func (s *Store) FilterPlanTypes(ctx context.Context, query map[string]any) ([]PlanType, error) {
	return filterRows(ctx, s, planTypeEntity, query, (*db.Queries).PlanTypeFilter, func(r db.PlanType) PlanType { return PlanType(r) })
}

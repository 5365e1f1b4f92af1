package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Environment is a named test environment, S-Environment.
type Environment struct {
	ID          int64  `json:"id" db:"id"`
	Name        string `json:"name" db:"name"`
	Description string `json:"description" db:"description"`
}

// EnvironmentProperty is a name/value pair of an environment,
// S-EnvProperty(-f).
type EnvironmentProperty struct {
	ID          int64  `json:"id" db:"id"`
	Environment int64  `json:"environment" db:"environment"`
	Name        string `json:"name" db:"name"`
	Value       string `json:"value" db:"value"`
}

// NewEnvironment holds the fields of Environment.create, validated by the
// caller.
type NewEnvironment struct {
	Name, Description string
}

// CreateEnvironment adds an environment; a taken name is reported under
// the name field, as Kiwi's form does.
func (s *Store) CreateEnvironment(ctx context.Context, n NewEnvironment) (Environment, error) {
	row, err := s.q.EnvironmentCreate(ctx, db.EnvironmentCreateParams{Name: n.Name, Description: n.Description})
	return Environment(row), translate(err, "Environment")
}

// AddEnvironmentProperty is get-or-create on (environment, name, value): a
// duplicate returns the existing row.
func (s *Store) AddEnvironmentProperty(ctx context.Context, envID int64, name, value string) (EnvironmentProperty, error) {
	arg := db.EnvironmentPropertyAddParams{EnvironmentID: envID, Name: name, Value: value}
	row, err := s.q.EnvironmentPropertyAdd(ctx, arg)
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent insert of the same property committed after this
		// statement's snapshot; a new statement sees it. Otherwise the
		// environment does not exist.
		row, err = s.q.EnvironmentPropertyAdd(ctx, arg)
	}
	return EnvironmentProperty{ID: row.ID, Environment: row.EnvironmentID, Name: row.Name, Value: row.Value},
		translate(err, "Environment")
}

var environmentEntity = entity(&Entity{Model: "Environment", From: "FROM environments e", Fields: map[string]Field{
	"id": {Expr: "e.id", Kind: IntField}, "name": {Expr: "e.name", Kind: TextField},
	"description": {Expr: "e.description", Kind: TextField},
}, Relations: map[string]Relation{
	"environmentproperty": {Expr: "ep.id", Exists: "SELECT 1 FROM environment_properties ep WHERE ep.environment_id = e.id",
		To: "EnvironmentProperty"},
}})

// FilterEnvironments answers Environment.filter, by name and description.
func (s *Store) FilterEnvironments(ctx context.Context, query map[string]any) ([]Environment, error) {
	return filterRows(ctx, s, environmentEntity, query, (*db.Queries).EnvironmentFilter,
		func(r db.Environment) Environment { return Environment(r) })
}

var environmentPropertyEntity = entity(&Entity{Model: "EnvironmentProperty", From: "FROM environment_properties p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"value": {Expr: "p.value", Kind: TextField},
}, Relations: map[string]Relation{"environment": {Expr: "p.environment_id", To: "Environment"}}})

// FilterEnvironmentProperties answers Environment.properties, by
// environment, name and value.
func (s *Store) FilterEnvironmentProperties(ctx context.Context, query map[string]any) ([]EnvironmentProperty, error) {
	return filterRows(ctx, s, environmentPropertyEntity, query, (*db.Queries).EnvironmentPropertyFilter,
		func(r db.EnvironmentPropertyFilterRow) EnvironmentProperty { return EnvironmentProperty(r) })
}

// RemoveEnvironmentProperties deletes every property the query matches;
// {} deletes them all, as in Kiwi.
func (s *Store) RemoveEnvironmentProperties(ctx context.Context, query map[string]any) error {
	return environmentPropertyEntity.translate(filtered(s.pool, environmentPropertyEntity, query).EnvironmentPropertyDeleteMatching(ctx))
}

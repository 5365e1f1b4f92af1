package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// Build is S-Build: version holds its id.
type Build struct {
	ID        int64  `json:"id" db:"id"`
	Name      string `json:"name" db:"name"`
	VersionID int64  `json:"version" db:"version_id"`
	IsActive  bool   `json:"is_active" db:"is_active"`
}

// BuildRow is S-Build-f, a Build.filter row.
type BuildRow struct {
	Build
	VersionValue string `json:"version__value" db:"version__value"`
}

// NewBuild holds what Build.create sets.
type NewBuild struct {
	Name      string
	VersionID int64
	IsActive  bool
}

// BuildPatch holds what Build.update sets; nil keeps a field.
type BuildPatch struct {
	Name      *string
	VersionID *int64
	IsActive  *bool
}

// CreateBuild adds a build to a version; the pair (version, name) is unique.
func (s *Store) CreateBuild(ctx context.Context, b NewBuild) (Build, error) {
	row, err := s.q.BuildCreate(ctx, db.BuildCreateParams(b))
	return Build(row), translate(err, "Build")
}

// UpdateBuild sets the fields of a build the patch gives.
func (s *Store) UpdateBuild(ctx context.Context, id int64, p BuildPatch) (Build, error) {
	row, err := s.q.BuildUpdate(ctx, db.BuildUpdateParams{ID: id, Name: p.Name, VersionID: p.VersionID, IsActive: p.IsActive})
	return Build(row), translate(err, "Build")
}

// buildEntity is what Build.filter may filter on: its columns, its
// version and Kiwi's reverse relations build_run (test runs),
// testexecution and bug.
var buildEntity = entity(&Entity{Model: "Build", From: "FROM builds b", Fields: map[string]Field{
	"id": {Expr: "b.id", Kind: IntField}, "name": {Expr: "b.name", Kind: TextField},
	"is_active": {Expr: "b.is_active", Kind: BoolField},
}, Relations: map[string]Relation{
	"version":       {Expr: "b.version_id", To: "Version"},
	"build_run":     {Expr: "tr.id", Exists: "SELECT 1 FROM test_runs tr WHERE tr.build_id = b.id", To: "TestRun"},
	"testexecution": {Expr: "ex.id", Exists: "SELECT 1 FROM test_executions ex WHERE ex.build_id = b.id", To: "TestExecution"},
	"bug":           {Expr: "bg.id", Exists: "SELECT 1 FROM bugs bg WHERE bg.build_id = b.id", To: "Bug"},
}})

// FilterBuilds answers Build.filter, by version then id, in one query.
func (s *Store) FilterBuilds(ctx context.Context, query map[string]any) ([]BuildRow, error) {
	return filterRows(ctx, s, buildEntity, query, (*db.Queries).BuildFilter, func(r db.BuildFilterRow) BuildRow {
		return BuildRow{Build(r.Build), r.VersionValue}
	})
}

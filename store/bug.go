package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// BugOwner names bugs as the owner of comments and attachments.
const BugOwner = "bugs_bug"

// BugFields is S-Bug-c, a bug of the built-in tracker with its FKs as
// ids; status true means open.
type BugFields struct {
	ID        int64     `json:"id" db:"id"`
	Summary   string    `json:"summary" db:"summary"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	Status    bool      `json:"status" db:"status"`
	Reporter  int64     `json:"reporter" db:"reporter"`
	Assignee  *int64    `json:"assignee" db:"assignee"`
	Product   int64     `json:"product" db:"product"`
	Version   int64     `json:"version" db:"version"`
	Build     int64     `json:"build" db:"build"`
	Severity  *int64    `json:"severity" db:"severity"`
}

// Bug is S-Bug: BugFields with the ids of the bug's executions and tags.
type Bug struct {
	BugFields
	Executions []int64 `json:"executions" db:"executions"`
	Tags       []int64 `json:"tags" db:"tags"`
}

// BugRow is S-Bug-f, a Bug.filter row: the id under the key "pk" and the
// names of the bug's FKs.
type BugRow struct {
	PK               int64     `json:"pk" db:"pk"`
	Summary          string    `json:"summary" db:"summary"`
	CreatedAt        time.Time `json:"created_at" db:"created_at"`
	ProductName      string    `json:"product__name" db:"product__name"`
	VersionValue     string    `json:"version__value" db:"version__value"`
	BuildName        string    `json:"build__name" db:"build__name"`
	ReporterUsername string    `json:"reporter__username" db:"reporter__username"`
	AssigneeUsername *string   `json:"assignee__username" db:"assignee__username"`
	SeverityName     *string   `json:"severity__name" db:"severity__name"`
	SeverityColor    *string   `json:"severity__color" db:"severity__color"`
	SeverityIcon     *string   `json:"severity__icon" db:"severity__icon"`
}

// bugColumns selects BugFields from the bugs row bg.
const bugColumns = `bg.id, bg.summary, bg.created_at, bg.status, bg.reporter_id AS reporter, bg.assignee_id AS assignee,
	bg.product_id AS product, bg.version_id AS version, bg.build_id AS build, bg.severity_id AS severity`

// bugEntity is what Bug.filter, filter_canonical and remove may filter
// on: the bug's columns, its FKs with their names, and its executions and
// tags.
var bugEntity = entity(&Entity{Model: "Bug", From: "FROM bugs bg", Fields: map[string]Field{
	"id": {Expr: "bg.id", Kind: IntField}, "summary": {Expr: "bg.summary", Kind: TextField},
	"created_at": {Expr: "bg.created_at", Kind: TimeField}, "status": {Expr: "bg.status", Kind: BoolField},
}, Relations: map[string]Relation{
	"reporter":   {Expr: "bg.reporter_id", To: "RelatedUser"},
	"assignee":   {Expr: "bg.assignee_id", To: "RelatedUser"},
	"product":    {Expr: "bg.product_id", To: "Product"},
	"version":    {Expr: "bg.version_id", To: "Version"},
	"build":      {Expr: "bg.build_id", To: "Build"},
	"severity":   {Expr: "bg.severity_id", To: "Severity"},
	"executions": {Expr: "be.execution_id", Exists: "SELECT 1 FROM bug_executions be WHERE be.bug_id = bg.id", To: "TestExecution"},
	"tags":       {Expr: "bt.tag_id", Exists: "SELECT 1 FROM bug_tags bt WHERE bt.bug_id = bg.id", To: "Tag"},
}})

// FilterBugs answers Bug.filter, by id.
func (s *Store) FilterBugs(ctx context.Context, query map[string]any) ([]BugRow, error) {
	return filterRows(ctx, s, bugEntity, query, (*db.Queries).BugFilter, func(r db.BugFilterRow) BugRow {
		return BugRow{r.Pk, r.Summary, r.CreatedAt, r.ProductName, r.VersionValue, r.BuildName, r.ReporterUsername,
			r.AssigneeUsername, r.SeverityName, r.SeverityColor, r.SeverityIcon}
	})
}

// FilterBugsCanonical answers Bug.filter_canonical, by id.
func (s *Store) FilterBugsCanonical(ctx context.Context, query map[string]any) ([]BugFields, error) {
	return filterRows(ctx, s, bugEntity, query, (*db.Queries).BugFilterCanonical, func(r db.Bug) BugFields {
		return BugFields{r.ID, r.Summary, r.CreatedAt, r.Status, r.ReporterID, r.AssigneeID, r.ProductID, r.VersionID, r.BuildID,
			r.SeverityID}
	})
}

// BugByID returns one bug as S-Bug, with its executions and tags.
func (s *Store) BugByID(ctx context.Context, id int64) (Bug, error) {
	r, err := s.q.BugGet(ctx, id)
	if err != nil {
		return Bug{}, translate(err, "Bug")
	}
	return Bug{BugFields{r.ID, r.Summary, r.CreatedAt, r.Status, r.ReporterID, r.AssigneeID, r.ProductID, r.VersionID, r.BuildID,
		r.SeverityID}, r.Executions, r.Tags}, nil
}

// NewBug holds the fields of Bug.create, validated by the caller. A nil
// Reporter is the caller; a nil CreatedAt is now.
type NewBug struct {
	Summary                 string
	Product, Version, Build int64
	Severity, Reporter      *int64
	Assignee                UserRef
	Status                  bool
	CreatedAt               *time.Time
}

// CreateBug adds a bug and returns it as S-Bug (no executions or tags
// yet), in one statement that also finds the assignee. An unknown
// product, version, build, severity or reporter is the form's choice error
// on that field; a reporter other than the caller is looked up first.
func (s *Store) CreateBug(ctx context.Context, by Principal, n NewBug) (Bug, error) {
	reporter := by.UserID
	if n.Reporter != nil && *n.Reporter != 0 {
		reporter = *n.Reporter
	}
	if err := refuseOutsiders(ctx, s.q, by, []userField{{"reporter", &reporter}}); err != nil {
		return Bug{}, err
	}
	_, ids, names, err := userParam(n.Assignee)
	if err != nil {
		return Bug{}, err
	}
	r, err := s.q.BugCreate(ctx, db.BugCreateParams{Summary: n.Summary, Status: n.Status, ReporterID: reporter,
		ProductID: n.Product, VersionID: n.Version, BuildID: n.Build, SeverityID: n.Severity, CreatedAt: n.CreatedAt,
		AssigneeIds: ids, AssigneeNames: names})
	if errors.Is(err, pgx.ErrNoRows) {
		return Bug{}, s.unknownUser(ctx, n.Assignee, "Bug")
	}
	return Bug{BugFields: BugFields{ID: r.ID, Summary: r.Summary, CreatedAt: r.CreatedAt, Status: r.Status,
		Reporter: r.ReporterID, Assignee: r.AssigneeID, Product: r.ProductID, Version: r.VersionID, Build: r.BuildID,
		Severity: r.SeverityID}, Executions: []int64{}, Tags: []int64{}}, translate(err, "Bug")
}

// unknownUser words why a statement that finds a user as user_by_ref does
// wrote nothing: the user is not found, or else the model's record is not.
func (s *Store) unknownUser(ctx context.Context, ref UserRef, model string) error {
	if _, err := resolveUserRef(ctx, s.pool, ref); err != nil {
		return err
	}
	return Errorf(NotFound, "%s matching query does not exist.", model)
}

// BugPatch holds what Bug.update sets: nil keeps a field; SetAssignee and
// SetSeverity say whether those are given (an empty Assignee or a nil
// Severity then clears them).
type BugPatch struct {
	Summary                 *string
	Status                  *bool
	Product, Version, Build *int64
	SetSeverity             bool
	Severity                *int64
	SetAssignee             bool
	Assignee                UserRef
}

// UpdateBug sets the fields of a bug the patch gives and returns it as
// S-Bug, with its executions and tags. An unknown product, version,
// build or severity is the form's choice error on that field.
func (s *Store) UpdateBug(ctx context.Context, id int64, p BugPatch) (Bug, error) {
	params := db.BugUpdateParams{ID: id, Summary: p.Summary, Status: p.Status, ProductID: p.Product,
		VersionID: p.Version, BuildID: p.Build, SetSeverity: p.SetSeverity, SeverityID: p.Severity, SetAssignee: p.SetAssignee}
	if p.SetAssignee {
		var err error
		if _, params.AssigneeIds, params.AssigneeNames, err = userParam(p.Assignee); err != nil {
			return Bug{}, err
		}
	}
	row, err := s.q.BugUpdate(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) && p.SetAssignee {
		return Bug{}, s.unknownUser(ctx, p.Assignee, "Bug")
	}
	return Bug{BugFields: BugFields{ID: row.ID, Summary: row.Summary, CreatedAt: row.CreatedAt, Status: row.Status,
		Reporter: row.ReporterID, Assignee: row.AssigneeID, Product: row.ProductID, Version: row.VersionID,
		Build: row.BuildID, Severity: row.SeverityID}, Executions: row.Executions, Tags: row.Tags}, translate(err, "Bug")
}

// AddBugTag tags a bug by the tagIDs rule; tagging twice changes nothing.
func (s *Store) AddBugTag(ctx context.Context, by Principal, bugID int64, name string) error {
	_, err := s.addTag(ctx, by, bugLinks, bugID, name)
	return err
}

// RemoveBugTag unlinks the tags of a name from a bug; the bug and a tag of
// that name must exist.
func (s *Store) RemoveBugTag(ctx context.Context, bugID int64, name string) error {
	_, err := s.removeTag(ctx, bugLinks, bugID, name, true)
	return err
}

// AddBugExecution links an execution to a bug; both must exist, and
// linking twice changes nothing.
func (s *Store) AddBugExecution(ctx context.Context, bugID, executionID int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := bugLinks.lock(ctx, tx, bugID); err != nil {
			return err
		}
		if err := executionLinks.lock(ctx, tx, executionID); err != nil {
			return err
		}
		return s.q.WithTx(tx).BugAddExecution(ctx, db.BugAddExecutionParams{BugID: bugID, ExecutionID: executionID})
	})
	return translate(err, "Bug")
}

// RemoveBugs deletes the bugs a non-empty query matches, with their
// comments and attachments; their links to executions and tags go with
// them.
func (s *Store) RemoveBugs(ctx context.Context, query map[string]any) error {
	if len(query) == 0 {
		return Errorf(Invalid, "Bug.remove needs a non-empty query; an empty one would delete every bug.")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := filtered(tx, bugEntity, query).BugLockMatching(ctx)
		if err != nil {
			return err
		}
		return s.q.WithTx(tx).BugDelete(ctx, ids)
	})
	return bugEntity.translate(err)
}

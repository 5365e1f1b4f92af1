package store

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/tcms/tcms/store/internal/db"
)

// Tag is a label of plans, cases, runs, executions and bugs, S-Tag.
type Tag struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// TagRow is a row of Tag.filter, S-Tag-f: a tag with one combination of
// the records it labels, ids or null. Bugs is there because the bug
// tracker is on.
type TagRow struct {
	ID        int64  `json:"id" db:"id"`
	Name      string `json:"name" db:"name"`
	Case      *int64 `json:"case" db:"case"`
	Plan      *int64 `json:"plan" db:"plan"`
	Run       *int64 `json:"run" db:"run"`
	Execution *int64 `json:"execution" db:"execution"`
	Bugs      *int64 `json:"bugs" db:"bugs"`
}

// addTagLabel is the permission that creating a tag needs, also when a
// tag is created by tagging a record.
const addTagLabel = "management.add_tag"

// tagNameMax is the length of tags.name.
const tagNameMax = 255

// CreateTag adds a tag; names may repeat, as in Kiwi.
func (s *Store) CreateTag(ctx context.Context, name string) (Tag, error) {
	row, err := s.q.TagCreate(ctx, name)
	return Tag(row), translate(err, "Tag")
}

// UpdateTag renames a tag, in one statement.
func (s *Store) UpdateTag(ctx context.Context, id int64, name string) (Tag, error) {
	row, err := s.q.TagUpdate(ctx, db.TagUpdateParams{ID: id, Name: name})
	return Tag(row), translate(err, "Tag")
}

// tagIDs is the one rule for naming tags when plans, cases, runs,
// executions and bugs are tagged. It returns the id of the tag of each
// name, in order: the lowest id when several tags share the name. Missing
// tags are created, which needs management.add_tag; without it the answer
// is Forbidden, worded as Kiwi's ("Tag matching query does not exist.").
// It runs in the caller's transaction.
func (s *Store) tagIDs(ctx context.Context, q *db.Queries, by Principal, names []string) ([]int64, error) {
	wanted := slices.Compact(slices.Sorted(slices.Values(names)))
	for _, n := range wanted {
		if n == "" {
			return nil, Errorf(Invalid, "tag: This field is required.")
		}
		if l := utf8.RuneCountInString(n); l > tagNameMax {
			return nil, Errorf(Invalid, "tag: Ensure this value has at most %d characters (it has %d).", tagNameMax, l)
		}
	}
	ids := make(map[string]int64, len(wanted))
	missing, err := findTags(ctx, q, wanted, ids)
	if err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return tagsInOrder(names, ids), nil
	}
	lacking, err := s.MissingPermission(ctx, by, []string{addTagLabel})
	if err != nil {
		return nil, err
	}
	if lacking != "" {
		return nil, Errorf(Forbidden, "Tag matching query does not exist. Creating the tag %q needs the %s permission.", missing[0], addTagLabel)
	}
	// Creators of a name take turns, and look again once it is theirs.
	if err := q.TagLockNames(ctx, missing); err != nil {
		return nil, err
	}
	if missing, err = findTags(ctx, q, missing, ids); err != nil {
		return nil, err
	}
	created, err := q.TagCreateMany(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, t := range created {
		ids[t.Name] = t.ID
	}
	return tagsInOrder(names, ids), nil
}

// findTags records in ids the lowest id of each of the sorted names that
// exists, and returns the others, sorted.
func findTags(ctx context.Context, q *db.Queries, names []string, ids map[string]int64) ([]string, error) {
	rows, err := q.TagFirstByName(ctx, names)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { _, ok := ids[n]; return ok }), nil
}

func tagsInOrder(names []string, ids map[string]int64) []int64 {
	out := make([]int64, len(names))
	for i, n := range names {
		out[i] = ids[n]
	}
	return out
}

// tagEntity's relations name the link rows of TagFilter's joins, not
// EXISTS subqueries: as in Django, where values() reuses the joins of the
// filter, {"run": 5} keeps the rows whose run is 5, with every
// combination of the tag's other records.
var tagEntity = entity(&Entity{Model: "Tag", From: "FROM tags t", Fields: map[string]Field{
	"id": {Expr: "t.id", Kind: IntField}, "name": {Expr: "t.name", Kind: TextField},
}, Relations: map[string]Relation{
	"case":      {Expr: "ct.case_id", Join: "LEFT JOIN test_case_tags ct ON ct.tag_id = t.id", To: "TestCase"},
	"plan":      {Expr: "pt.plan_id", Join: "LEFT JOIN test_plan_tags pt ON pt.tag_id = t.id", To: "TestPlan"},
	"run":       {Expr: "rt.run_id", Join: "LEFT JOIN test_run_tags rt ON rt.tag_id = t.id", To: "TestRun"},
	"execution": {Expr: "et.execution_id", Join: "LEFT JOIN test_execution_tags et ON et.tag_id = t.id", To: "TestExecution"},
	"bugs":      {Expr: "bt.bug_id", Join: "LEFT JOIN bug_tags bt ON bt.tag_id = t.id", To: "Bug"},
}})

// FilterTags answers a Kiwi query dict over tags, by id, then by the
// records.
func (s *Store) FilterTags(ctx context.Context, query map[string]any) ([]TagRow, error) {
	return filterRows(ctx, s, tagEntity, query, (*db.Queries).TagFilter, func(r db.TagFilterRow) TagRow { return TagRow(r) })
}

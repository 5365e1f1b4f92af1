package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// The maintenance removes (Classification, Product, Version, Build,
// Category, Component, Tag, TestPlan) share their guard rails: a non-empty
// query; the matched records (and what of theirs other records refer to)
// locked; refused, naming what refers to it, while anything outside them
// refers to one of them; all or nothing in one transaction. They return
// S-Delete: the total and the count per model.

// removal is one X.remove.
type removal struct {
	method string // "Product.remove", for the refusals
	noun   string // "product", for the empty-query refusal
	e      *Entity
	// lock locks the records the filter matches and returns their ids;
	// its queries hold the filter.
	lock func(ctx context.Context, q *db.Queries) ([]int64, error)
	// users says, per record, what refers to it.
	users func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error)
	// remove deletes the records and counts what went, per model.
	remove func(ctx context.Context, q *db.Queries, by Principal, ids []int64) (map[string]int64, error)
	main   string // the S-Delete model of the records
}

// usedRecord is a record and how many records of each kind refer to it.
type usedRecord struct {
	name string
	by   []referrers
}

// referrers is how many records of one kind refer to a record.
type referrers struct {
	n         int64
	one, many string // "test plan", "test plans"
}

// usedRecords turns the rows of a references query into usedRecords.
func usedRecords[R any](rows []R, err error, record func(R) usedRecord) ([]usedRecord, error) {
	out := make([]usedRecord, len(rows))
	for i, r := range rows {
		out[i] = record(r)
	}
	return out, err
}

// refusal words the first record in use, or is nil.
func (r removal) refusal(records []usedRecord) error {
	for _, rec := range records {
		var parts []string
		for _, u := range rec.by {
			switch {
			case u.n == 1:
				parts = append(parts, "1 "+u.one)
			case u.n > 1:
				parts = append(parts, fmt.Sprintf("%d %s", u.n, u.many))
			}
		}
		if len(parts) == 0 {
			continue
		}
		list := parts[len(parts)-1]
		if len(parts) > 1 {
			list = strings.Join(parts[:len(parts)-1], ", ") + " and " + list
		}
		return Errorf(Invalid, "%s %q is in use by %s and cannot be deleted; %s deleted nothing.", r.e.Model, rec.name, list, r.method)
	}
	return nil
}

// remove deletes the records query matches, as the removal says.
func (s *Store) remove(ctx context.Context, r removal, by Principal, query map[string]any) (int64, map[string]int64, error) {
	if len(query) == 0 {
		return 0, nil, Errorf(Invalid, "%s needs a non-empty query; an empty one would delete every %s.", r.method, r.noun)
	}
	counts := map[string]int64{r.main: 0}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := r.lock(ctx, filtered(tx, r.e, query))
		if err != nil || len(ids) == 0 {
			return err
		}
		q := s.q.WithTx(tx)
		records, err := r.users(ctx, q, ids)
		if err != nil {
			return err
		}
		if err := r.refusal(records); err != nil {
			return err
		}
		counts, err = r.remove(ctx, q, by, ids)
		return err
	})
	if err != nil {
		return 0, nil, r.e.translate(err)
	}
	total, counts := deleted(r.main, counts)
	return total, counts, nil
}

var classificationRemoval = removal{method: "Classification.remove", noun: "classification", e: classificationEntity,
	main: "management.Classification",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.ClassificationLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.ClassificationReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.ClassificationReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Products, "product", "products"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		n, err := q.ClassificationDelete(ctx, ids)
		return map[string]int64{"management.Classification": n}, err
	},
}

var productRemoval = removal{method: "Product.remove", noun: "product", e: productEntity, main: "management.Product",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.ProductLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.ProductReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.ProductReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Plans, "test plan", "test plans"}, {r.Cases, "test case", "test cases"},
				{r.Runs, "test run", "test runs"}, {r.Executions, "test execution", "test executions"}, {r.Bugs, "bug", "bugs"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		r, err := q.ProductDelete(ctx, ids)
		return map[string]int64{"management.Product": r.Products, "testcases.Category": r.Categories,
			"management.Version": r.Versions, "management.Build": r.Builds, "management.Component": r.Components,
			"testcases.TestCaseComponent": r.CaseComponents}, err
	},
}

var versionRemoval = removal{method: "Version.remove", noun: "version", e: versionEntity, main: "management.Version",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.VersionLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.VersionReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.VersionReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Plans, "test plan", "test plans"}, {r.Runs, "test run", "test runs"},
				{r.Executions, "test execution", "test executions"}, {r.Bugs, "bug", "bugs"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		r, err := q.VersionDelete(ctx, ids)
		return map[string]int64{"management.Version": r.Versions, "management.Build": r.Builds}, err
	},
}

var buildRemoval = removal{method: "Build.remove", noun: "build", e: buildEntity, main: "management.Build",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.BuildLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.BuildReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.BuildReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Runs, "test run", "test runs"},
				{r.Executions, "test execution", "test executions"}, {r.Bugs, "bug", "bugs"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		n, err := q.BuildDelete(ctx, ids)
		return map[string]int64{"management.Build": n}, err
	},
}

var categoryRemoval = removal{method: "Category.remove", noun: "category", e: categoryEntity, main: "testcases.Category",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.CategoryLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.CategoryReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.CategoryReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Cases, "test case", "test cases"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		n, err := q.CategoryDelete(ctx, ids)
		return map[string]int64{"testcases.Category": n}, err
	},
}

var componentRemoval = removal{method: "Component.remove", noun: "component", e: componentEntity, main: "management.Component",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.ComponentLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.ComponentReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.ComponentReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Cases, "test case", "test cases"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		n, err := q.ComponentDelete(ctx, ids)
		return map[string]int64{"management.Component": n}, err
	},
}

var tagRemoval = removal{method: "Tag.remove", noun: "tag", e: tagEntity, main: "management.Tag",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.TagLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.TagReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.TagReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Cases, "test case", "test cases"}, {r.Plans, "test plan", "test plans"},
				{r.Runs, "test run", "test runs"}, {r.Executions, "test execution", "test executions"}, {r.Bugs, "bug", "bugs"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, _ Principal, ids []int64) (map[string]int64, error) {
		n, err := q.TagDelete(ctx, ids)
		return map[string]int64{"management.Tag": n}, err
	},
}

var testPlanRemoval = removal{method: "TestPlan.remove", noun: "test plan", e: testPlanEntity, main: "testplans.TestPlan",
	lock: func(ctx context.Context, q *db.Queries) ([]int64, error) { return q.TestPlanLockMatching(ctx) },
	users: func(ctx context.Context, q *db.Queries, ids []int64) ([]usedRecord, error) {
		rows, err := q.TestPlanReferences(ctx, ids)
		return usedRecords(rows, err, func(r db.TestPlanReferencesRow) usedRecord {
			return usedRecord{r.Name, []referrers{{r.Runs, "test run", "test runs"}, {r.Children, "child plan", "child plans"}}}
		})
	},
	remove: func(ctx context.Context, q *db.Queries, by Principal, ids []int64) (map[string]int64, error) {
		r, err := q.TestPlanDelete(ctx, db.TestPlanDeleteParams{Ids: ids, HistoryUserID: &by.UserID})
		return map[string]int64{"testplans.TestPlan": r.Plans, "testcases.TestCasePlan": r.CaseLinks,
			"testplans.TestPlanTag": r.TagLinks, "attachments.Attachment": r.Attachments}, err
	},
}

// RemoveClassifications answers Classification.remove.
func (s *Store) RemoveClassifications(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, classificationRemoval, Principal{}, query)
}

// RemoveProducts answers Product.remove: products go with their
// categories, versions, builds and components.
func (s *Store) RemoveProducts(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, productRemoval, Principal{}, query)
}

// RemoveVersions answers Version.remove: versions go with their builds.
func (s *Store) RemoveVersions(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, versionRemoval, Principal{}, query)
}

// RemoveBuilds answers Build.remove.
func (s *Store) RemoveBuilds(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, buildRemoval, Principal{}, query)
}

// RemoveCategories answers Category.remove.
func (s *Store) RemoveCategories(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, categoryRemoval, Principal{}, query)
}

// RemoveComponents answers Component.remove.
func (s *Store) RemoveComponents(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, componentRemoval, Principal{}, query)
}

// RemoveTags answers Tag.remove.
func (s *Store) RemoveTags(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, tagRemoval, Principal{}, query)
}

// RemoveTestPlans answers TestPlan.remove: plans go with their links to
// cases and tags and their attachments, each with a '-' history row by
// the caller.
func (s *Store) RemoveTestPlans(ctx context.Context, by Principal, query map[string]any) (int64, map[string]int64, error) {
	return s.remove(ctx, testPlanRemoval, by, query)
}

// RemoveBugTrackers answers BugTracker.remove, in one statement: no record
// refers to a tracker.
func (s *Store) RemoveBugTrackers(ctx context.Context, query map[string]any) (int64, map[string]int64, error) {
	if len(query) == 0 {
		return 0, nil, Errorf(Invalid, "BugTracker.remove needs a non-empty query; an empty one would delete every bug tracker.")
	}
	n, err := filtered(s.pool, bugTrackerEntity, query).BugTrackerDeleteMatching(ctx)
	if err != nil {
		return 0, nil, bugTrackerEntity.translate(err)
	}
	total, counts := deleted("testcases.BugSystem", map[string]int64{"testcases.BugSystem": n})
	return total, counts, nil
}

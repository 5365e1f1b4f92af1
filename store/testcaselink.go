package store

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// AddCaseTag tags a case, creating the tag by the tagIDs rule; tagging
// twice changes nothing.
func (s *Store) AddCaseTag(ctx context.Context, by Principal, caseID int64, name string) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestCaseProductLock(ctx, caseID); err != nil {
			return err
		}
		ids, err := s.tagIDs(ctx, q, by, []string{name})
		if err != nil {
			return err
		}
		return q.TestCaseAddTags(ctx, db.TestCaseAddTagsParams{CaseID: caseID, TagIds: ids})
	})
	return translate(err, "TestCase")
}

// RemoveCaseTag unlinks the tags of a name from a case. The case and a tag
// of that name must exist.
func (s *Store) RemoveCaseTag(ctx context.Context, caseID int64, name string) error {
	row, err := s.q.TestCaseRemoveTag(ctx, db.TestCaseRemoveTagParams{CaseID: caseID, Name: name})
	return bothFound(translate(err, "TestCase"), row.CaseFound, row.OtherFound, "Tag")
}

// AddCaseComponent links the component of a name of the case's product
// (its category's) to the case and returns it; linking twice changes
// nothing.
func (s *Store) AddCaseComponent(ctx context.Context, caseID int64, name string) (Component, error) {
	var row db.TestCaseAddComponentRow
	err := s.withTx(ctx, func(q *db.Queries) error {
		product, err := q.TestCaseProductLock(ctx, caseID)
		if err != nil {
			return translate(err, "TestCase")
		}
		row, err = q.TestCaseAddComponent(ctx, db.TestCaseAddComponentParams{ProductID: product, Name: name, CaseID: caseID})
		return err
	})
	return Component(row), translate(err, "Component")
}

// RemoveCaseComponent unlinks a component from a case; both must exist.
func (s *Store) RemoveCaseComponent(ctx context.Context, caseID, componentID int64) error {
	row, err := s.q.TestCaseRemoveComponent(ctx, db.TestCaseRemoveComponentParams{CaseID: caseID, ComponentID: componentID})
	return bothFound(translate(err, "TestCase"), row.CaseFound, row.OtherFound, "Component")
}

// bothFound answers an unlink that needs the case and the other record to
// exist: err if there is one, then which one is missing.
func bothFound(err error, caseFound, otherFound bool, other string) error {
	switch {
	case err != nil:
		return err
	case !caseFound:
		return Errorf(NotFound, "TestCase matching query does not exist.")
	case !otherFound:
		return Errorf(NotFound, "%s matching query does not exist.", other)
	}
	return nil
}

// CaseProperty is a name/value pair of a test case, S-CaseProperty(-f).
type CaseProperty struct {
	ID    int64  `json:"id" db:"id"`
	Case  int64  `json:"case" db:"case"`
	Name  string `json:"name" db:"name"`
	Value string `json:"value" db:"value"`
}

// AddCaseProperty is get-or-create on (case, name, value): a duplicate
// returns the existing row.
func (s *Store) AddCaseProperty(ctx context.Context, caseID int64, name, value string) (CaseProperty, error) {
	arg := db.TestCasePropertyAddParams{CaseID: caseID, Name: name, Value: value}
	row, err := s.q.TestCasePropertyAdd(ctx, arg)
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent insert of the same property committed after this
		// statement's snapshot; a new statement sees it. Otherwise the
		// case does not exist.
		row, err = s.q.TestCasePropertyAdd(ctx, arg)
	}
	return CaseProperty{ID: row.ID, Case: row.CaseID, Name: row.Name, Value: row.Value}, translate(err, "TestCase")
}

var casePropertyEntity = entity(&Entity{Model: "Property", From: "FROM test_case_properties p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"value": {Expr: "p.value", Kind: TextField},
}, Relations: map[string]Relation{"case": {Expr: "p.case_id", To: "TestCase"}}})

// FilterCaseProperties answers TestCase.properties, by case, name and
// value.
func (s *Store) FilterCaseProperties(ctx context.Context, query map[string]any) ([]CaseProperty, error) {
	return filterRows(ctx, s, casePropertyEntity, query, (*db.Queries).TestCasePropertyFilter,
		func(r db.TestCasePropertyFilterRow) CaseProperty { return CaseProperty(r) })
}

// RemoveCaseProperties deletes every case property the query matches. An
// empty query is refused: unlike Kiwi, it does not delete them all.
func (s *Store) RemoveCaseProperties(ctx context.Context, query map[string]any) error {
	if len(query) == 0 {
		return Errorf(Invalid, "A non-empty query is required: {} would delete every property.")
	}
	return casePropertyEntity.translate(filtered(s.pool, casePropertyEntity, query).TestCasePropertyDeleteMatching(ctx))
}

// CaseCC returns a case's notification CC addresses, [] when none.
func (s *Store) CaseCC(ctx context.Context, caseID int64) ([]string, error) {
	list, err := s.q.TestCaseCCGet(ctx, caseID)
	return splitCC(list), translate(err, "TestCase")
}

// ChangeCaseCC adds the addresses to a case's notification CC list
// (present ones are skipped) or removes them (absent ones are ignored).
// Every address must be valid.
func (s *Store) ChangeCaseCC(ctx context.Context, caseID int64, emails []string, add bool) error {
	if err := validEmails(emails); err != nil {
		return err
	}
	err := s.withTx(ctx, func(q *db.Queries) error {
		list, err := q.TestCaseCCGet(ctx, caseID)
		if err != nil {
			return err
		}
		cc := splitCC(list)
		for _, e := range emails {
			switch i := slices.Index(cc, e); {
			case add && i < 0:
				cc = append(cc, e)
			case !add && i >= 0:
				cc = slices.Delete(cc, i, i+1)
			}
		}
		return q.TestCaseCCSet(ctx, db.TestCaseCCSetParams{CaseID: caseID, CcList: strings.Join(cc, ",")})
	})
	return translate(err, "TestCase")
}

func splitCC(list string) []string {
	if list == "" {
		return []string{}
	}
	return strings.Split(list, ",")
}

// validEmails refuses, in Kiwi's words, a list with addresses that are
// not plain "local@domain.tld" addresses.
func validEmails(emails []string) error {
	var bad []string
	for _, e := range emails {
		if !validEmail(e) {
			bad = append(bad, e)
		}
	}
	if bad != nil {
		return Errorf(Invalid, "['Following email address(es) are invalid: %s']", strings.Join(bad, ", "))
	}
	return nil
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e || strings.ContainsAny(e, ", ") {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// TestCaseOwner names test cases as the owner of comments and attachments.
const TestCaseOwner = "testcases_testcase"

// TestRunOwner and TestExecutionOwner name runs and executions as the
// owners of comments, attachments and history rows.
const (
	TestRunOwner       = "testruns_testrun"
	TestExecutionOwner = "testruns_testexecution"
)

// record is a kind of record that comments (and attachments) hang on.
type record struct {
	model       string // Kiwi's model name, for "does not exist" messages
	table       string
	contentType int64 // what comments report as content_type: stable, ours
	keyShare    func(q *db.Queries, ctx context.Context, id int64) (int64, error)
}

// records maps owners to their records. The content_type ids are fixed
// here, not in the database, so they never change: 1 testcases_testcase,
// 2 testruns_testexecution, 3 bugs_bug, 4 testruns_testrun.
var records = map[string]record{
	TestCaseOwner:      {model: "TestCase", table: "test_cases", contentType: 1, keyShare: (*db.Queries).TestCaseKeyShare},
	TestExecutionOwner: {model: "TestExecution", table: "test_executions", contentType: 2, keyShare: (*db.Queries).TestExecutionKeyShare},
	BugOwner:           {model: "Bug", table: "bugs", contentType: 3, keyShare: (*db.Queries).BugKeyShare},
	TestRunOwner:       {model: "TestRun", table: "test_runs", contentType: 4, keyShare: (*db.Queries).TestRunKeyShare},
}

// commentSite is the one site every comment is on (Django's SITE_ID).
const commentSite = 1

// Comment is a comment as *.add_comment returns it, S-Comment: object_pk
// is the record's integer id.
type Comment struct {
	ID          int64     `json:"id"`
	ContentType int64     `json:"content_type"`
	ObjectPK    int64     `json:"object_pk"`
	Site        int64     `json:"site"`
	User        *int64    `json:"user"`
	UserName    string    `json:"user_name"`
	UserEmail   string    `json:"user_email"`
	UserURL     string    `json:"user_url"`
	Comment     string    `json:"comment"`
	SubmitDate  time.Time `json:"submit_date"`
	IPAddress   *string   `json:"ip_address"`
	IsPublic    bool      `json:"is_public"`
	IsRemoved   bool      `json:"is_removed"`
}

// CommentRow is a comment as the comment lists return it, S-CommentList:
// foreign keys under their *_id names and object_pk as a string.
type CommentRow struct {
	ID            int64     `json:"id"`
	ContentTypeID int64     `json:"content_type_id"`
	ObjectPK      string    `json:"object_pk"`
	SiteID        int64     `json:"site_id"`
	UserID        *int64    `json:"user_id"`
	UserName      string    `json:"user_name"`
	UserEmail     string    `json:"user_email"`
	UserURL       string    `json:"user_url"`
	Comment       string    `json:"comment"`
	SubmitDate    time.Time `json:"submit_date"`
	IPAddress     *string   `json:"ip_address"`
	IsPublic      bool      `json:"is_public"`
	IsRemoved     bool      `json:"is_removed"`
}

// NewComment is a comment to add. UserID (unless 0) and SubmitDate
// override the author and the date; only a superuser's overrides count.
type NewComment struct {
	Text       string
	UserID     *int64
	SubmitDate *time.Time
}

// lockRecord makes sure the owner's record exists and keeps it until the
// transaction ends. A missing record is NotFound ("<Model> matching query
// does not exist.").
func lockRecord(ctx context.Context, q *db.Queries, owner string, id int64) (record, error) {
	rec, ok := records[owner]
	if !ok {
		return rec, errors.New("store: unknown record owner " + owner)
	}
	_, err := rec.keyShare(q, ctx, id)
	return rec, translate(err, rec.model)
}

// RecordExists reports NotFound when the owner's record does not exist.
func (s *Store) RecordExists(ctx context.Context, owner string, id int64) error {
	_, err := lockRecord(ctx, s.q, owner, id)
	return err
}

// AddComment comments on the owner's record as by, or as the user and at
// the date a superuser names. The comment is stored with the user's
// username and email. It is one statement (CI reporters comment on every
// execution); a second one names what was missing when nothing was added.
func (s *Store) AddComment(ctx context.Context, by Principal, owner string, objectID int64, n NewComment) (Comment, error) {
	rec, ok := records[owner]
	if !ok {
		return Comment{}, errors.New("store: unknown record owner " + owner)
	}
	userID, when := by.UserID, (*time.Time)(nil)
	if by.IsSuperuser {
		if n.UserID != nil && *n.UserID != 0 {
			userID = *n.UserID
		}
		when = n.SubmitDate
	}
	out := Comment{ContentType: rec.contentType, ObjectPK: objectID, Site: commentSite}
	// The table name comes from records, never from the caller.
	err := s.pool.QueryRow(ctx, `WITH o AS (SELECT id FROM `+rec.table+` WHERE id = $2 FOR KEY SHARE)
		INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment, submit_date)
		SELECT $1, o.id, u.id, left(u.username, 50), u.email, $4, coalesce($5::timestamptz, now())
		FROM o, users u WHERE u.id = $3
		RETURNING id, user_id, user_name, user_email, comment, submit_date, is_public, is_removed`,
		owner, objectID, userID, n.Text, when).Scan(&out.ID, &out.User, &out.UserName, &out.UserEmail, &out.Comment,
		&out.SubmitDate, &out.IsPublic, &out.IsRemoved)
	if errors.Is(err, pgx.ErrNoRows) {
		if err = s.RecordExists(ctx, owner, objectID); err == nil {
			err = Errorf(NotFound, "User matching query does not exist.")
		}
	}
	return out, translate(err, "Comment")
}

// Comments lists the comments of the owner's record that are not
// removed, by id; a read, so without a transaction.
func (s *Store) Comments(ctx context.Context, owner string, objectID int64) ([]CommentRow, error) {
	rec, err := lockRecord(ctx, s.q, owner, objectID)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.CommentList(ctx, db.CommentListParams{Owner: owner, ObjectID: objectID})
	out := make([]CommentRow, len(rows))
	for i, r := range rows {
		out[i] = CommentRow{ID: r.ID, ContentTypeID: rec.contentType, ObjectPK: strconv.FormatInt(r.ObjectID, 10),
			SiteID: commentSite, UserID: r.UserID, UserName: r.UserName, UserEmail: r.UserEmail, Comment: r.Comment,
			SubmitDate: r.SubmitDate, IsPublic: r.IsPublic, IsRemoved: r.IsRemoved}
	}
	return out, translate(err, "Comment")
}

// RemoveComments deletes one comment of the owner's record, or all of
// them when id is nil. An id that is not one of the record's comments
// deletes nothing, as in Kiwi.
func (s *Store) RemoveComments(ctx context.Context, owner string, objectID int64, id *int64) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := lockRecord(ctx, q, owner, objectID); err != nil {
			return err
		}
		return q.CommentRemove(ctx, db.CommentRemoveParams{Owner: owner, ObjectID: objectID, ID: id})
	})
	return translate(err, "Comment")
}

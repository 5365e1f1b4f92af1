package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// BugTracker is an issue tracker, S-BugTracker. It has no password field:
// the API password is write-only.
type BugTracker struct {
	ID          int64   `json:"id" db:"id"`
	Name        string  `json:"name" db:"name"`
	TrackerType string  `json:"tracker_type" db:"tracker_type"`
	BaseURL     *string `json:"base_url" db:"base_url"`
	APIURL      *string `json:"api_url" db:"api_url"`
	APIUsername *string `json:"api_username" db:"api_username"`
}

// NewBugTracker holds the fields of BugTracker.create, validated by the
// caller; nil means not set. APIPassword is stored encrypted.
type NewBugTracker struct {
	Name, TrackerType                         string
	BaseURL, APIURL, APIUsername, APIPassword *string
}

// apiPasswordPurpose is the associated data of sealed API passwords.
const apiPasswordPurpose = "bug_trackers.api_password"

// CreateBugTracker adds a bug tracker, encrypting its API password.
func (s *Store) CreateBugTracker(ctx context.Context, n NewBugTracker) (BugTracker, error) {
	var sealed []byte
	if n.APIPassword != nil {
		var err error
		if sealed, err = s.seal(ctx, *n.APIPassword, apiPasswordPurpose); err != nil {
			return BugTracker{}, err
		}
	}
	row, err := s.q.BugTrackerCreate(ctx, db.BugTrackerCreateParams{
		Name: n.Name, TrackerType: n.TrackerType, BaseUrl: n.BaseURL, ApiUrl: n.APIURL,
		ApiUsername: n.APIUsername, ApiPassword: sealed,
	})
	t := BugTracker{ID: row.ID, Name: row.Name, TrackerType: row.TrackerType, BaseURL: row.BaseUrl, APIURL: row.ApiUrl, APIUsername: row.ApiUsername}
	return t, translate(err, "Bug tracker")
}

// BugTrackerPatch holds what BugTracker.update sets: nil keeps a field;
// for the optional ones, Set* says whether they are given (nil then
// clears them). APIPassword is stored encrypted.
type BugTrackerPatch struct {
	Name, TrackerType                                     *string
	SetBaseURL, SetAPIURL, SetAPIUsername, SetAPIPassword bool
	BaseURL, APIURL, APIUsername, APIPassword             *string
}

// UpdateBugTracker sets the fields of a tracker the patch gives, in one
// statement, and returns it without its password.
func (s *Store) UpdateBugTracker(ctx context.Context, id int64, p BugTrackerPatch) (BugTracker, error) {
	var sealed []byte
	if p.APIPassword != nil {
		var err error
		if sealed, err = s.seal(ctx, *p.APIPassword, apiPasswordPurpose); err != nil {
			return BugTracker{}, err
		}
	}
	row, err := s.q.BugTrackerUpdate(ctx, db.BugTrackerUpdateParams{ID: id, Name: p.Name, TrackerType: p.TrackerType,
		SetBaseUrl: p.SetBaseURL, BaseUrl: p.BaseURL, SetApiUrl: p.SetAPIURL, ApiUrl: p.APIURL,
		SetApiUsername: p.SetAPIUsername, ApiUsername: p.APIUsername, SetApiPassword: p.SetAPIPassword, ApiPassword: sealed})
	if errors.Is(err, pgx.ErrNoRows) {
		return BugTracker{}, translate(err, "BugSystem")
	}
	return BugTracker{ID: row.ID, Name: row.Name, TrackerType: row.TrackerType, BaseURL: row.BaseUrl, APIURL: row.ApiUrl,
		APIUsername: row.ApiUsername}, translate(err, "Bug tracker")
}

// BugTrackerCredentials returns a tracker's API user name and decrypted
// password ("" when not set), for the code that talks to trackers. A key
// that cannot decrypt the password gives ErrWrongEncryptionKey.
func (s *Store) BugTrackerCredentials(ctx context.Context, id int64) (username, password string, err error) {
	row, err := s.q.BugTrackerCredentials(ctx, id)
	if err != nil {
		return "", "", translate(err, "BugSystem")
	}
	if row.ApiUsername != nil {
		username = *row.ApiUsername
	}
	if row.ApiPassword != nil {
		if password, err = s.unseal(ctx, row.ApiPassword, apiPasswordPurpose); err != nil {
			return "", "", err
		}
	}
	return username, password, nil
}

// bugTrackerEntity lists what BugTracker.filter accepts: never api_password.
var bugTrackerEntity = entity(&Entity{Model: "BugSystem", From: "FROM bug_trackers b", Fields: map[string]Field{
	"id": {Expr: "b.id", Kind: IntField}, "name": {Expr: "b.name", Kind: TextField},
	"tracker_type": {Expr: "b.tracker_type", Kind: TextField}, "base_url": {Expr: "b.base_url", Kind: TextField},
	"api_url": {Expr: "b.api_url", Kind: TextField}, "api_username": {Expr: "b.api_username", Kind: TextField},
}})

// FilterBugTrackers answers BugTracker.filter, by id.
func (s *Store) FilterBugTrackers(ctx context.Context, query map[string]any) ([]BugTracker, error) {
	return filterRows(ctx, s, bugTrackerEntity, query, (*db.Queries).BugTrackerFilter, func(r db.BugTrackerFilterRow) BugTracker {
		return BugTracker{r.ID, r.Name, r.TrackerType, r.BaseUrl, r.ApiUrl, r.ApiUsername}
	})
}

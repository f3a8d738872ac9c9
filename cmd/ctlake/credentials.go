package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctlake/ctlake/sigv4"
)

// credentialsFile is where a generated key pair is kept, in the data folder.
// It is written as shell assignments so that a user can load it with
// `set -a; . ./ctlake-data/credentials.env; set +a` and run the AWS CLI.
const credentialsFile = "credentials.env"

// credentials returns the key pair the server accepts: the one in
// CTLAKE_ACCESS_KEY_ID / CTLAKE_SECRET_ACCESS_KEY, or else the one kept in
// the data folder, made on first start.
func (m *Main) credentials(dataDir string) (sigv4.StaticCredentials, error) {
	id, secret := os.Getenv("CTLAKE_ACCESS_KEY_ID"), os.Getenv("CTLAKE_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "":
		m.Logger.Info("accepting the access key from the environment", "access_key_id", id)
		return sigv4.StaticCredentials{AccessKeyID: id, SecretAccessKey: secret}, nil
	case id != "" || secret != "":
		return sigv4.StaticCredentials{}, errors.New("set both CTLAKE_ACCESS_KEY_ID and CTLAKE_SECRET_ACCESS_KEY, or neither (the server then makes a key pair in its data folder)")
	}
	path := filepath.Join(dataDir, credentialsFile)
	creds, err := readCredentials(path)
	if errors.Is(err, os.ErrNotExist) {
		creds, err = writeNewCredentials(path)
		if err == nil {
			m.Logger.Info("made a new access key for this data folder", "file", path, "access_key_id", creds.AccessKeyID)
		}
	}
	if err != nil {
		return creds, err
	}
	m.Logger.Info("accepting the access key kept in the data folder; to use it from a shell: set -a; . "+path+"; set +a",
		"access_key_id", creds.AccessKeyID, "file", path)
	return creds, nil
}

func readCredentials(path string) (sigv4.StaticCredentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return sigv4.StaticCredentials{}, err
	}
	defer f.Close()
	var c sigv4.StaticCredentials
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			c.AccessKeyID = v
		case "AWS_SECRET_ACCESS_KEY":
			c.SecretAccessKey = v
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("read %s: %w", path, err)
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("%s lacks AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY; fix it or remove it to make a new key", path)
	}
	return c, nil
}

// writeNewCredentials makes a key pair shaped like AWS's (a 20-character
// id starting AKIA, a 40-character secret) and writes it with mode 0600,
// atomically, so a crash never leaves half a key.
func writeNewCredentials(path string) (sigv4.StaticCredentials, error) {
	idBytes, secretBytes := make([]byte, 10), make([]byte, 30)
	rand.Read(idBytes)
	rand.Read(secretBytes)
	c := sigv4.StaticCredentials{
		AccessKeyID:     "AKIA" + base32.StdEncoding.EncodeToString(idBytes)[:16],
		SecretAccessKey: base64.RawStdEncoding.EncodeToString(secretBytes)[:40],
	}
	content := fmt.Sprintf(`# ctlake access key for the data folder %s.
# Load it into a shell with:  set -a; . %s; set +a
AWS_ACCESS_KEY_ID=%s
AWS_SECRET_ACCESS_KEY=%s
AWS_DEFAULT_REGION=us-east-1
AWS_REGION=us-east-1
`, filepath.Dir(path), path, c.AccessKeyID, c.SecretAccessKey)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return c, err
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return c, fmt.Errorf("write %s: %w", path, err)
	}
	return c, nil
}

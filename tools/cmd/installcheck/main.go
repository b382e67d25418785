// Command installcheck proves that
//
//	go install github.com/cloudconnexa-go/cloudconnexa/cmd/cloudconnexa-fake@<version>
//
// works for a user: from an empty module cache, with no replace directive
// and no generate step. It serves HEAD, as committed, at a pseudo-version
// from a file:// module proxy it builds (the zip the real proxy would make
// from a tag, with git archive and golang.org/x/mod/zip), installs into a
// temporary GOBIN, and checks that the binary's -version reports that
// version. The dependencies come from the local module cache's download
// directory (offline; the checksum database is not asked), or with -online
// from GOPROXY, checked against the checksum database.
//
// The Makefile builds it into .tools/bin (go build -C tools -o
// ../.tools/bin/ ./cmd/installcheck) and runs it from the repository root:
//
//	.tools/bin/installcheck           # make install-check
//	.tools/bin/installcheck -online
//	.tools/bin/installcheck -version v0.1.0  # HEAD served as a release
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

const (
	modulePath = "github.com/cloudconnexa-go/cloudconnexa"
	command    = modulePath + "/cmd/cloudconnexa-fake"
)

func main() {
	online := flag.Bool("online", false, "take the dependencies from GOPROXY and check them against GOSUMDB, as a user's go install does")
	as := flag.String("version", "", "serve HEAD as this release version (v0.1.0 in a release commit) instead of a pseudo-version")
	flag.Parse()
	if err := run(*online, *as); err != nil {
		fmt.Fprintln(os.Stderr, "installcheck:", err)
		os.Exit(1)
	}
}

func run(online bool, as string) error {
	start := time.Now()
	head, err := output("", "git", "log", "-1", "--format=%H %ct")
	if err != nil {
		return err
	}
	hash, unix, _ := strings.Cut(head, " ")
	secs, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return err
	}
	version := module.PseudoVersion("v0", "", time.Unix(secs, 0), hash[:12])
	if as != "" {
		if !semverRelease.MatchString(as) {
			return fmt.Errorf("-version %q is not a release version vX.Y.Z", as)
		}
		version = as
	}
	tmp, err := os.MkdirTemp("", "installcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	proxy := filepath.Join(tmp, "proxy")
	if err := serve(proxy, version, hash, secs); err != nil {
		return err
	}
	work := filepath.Join(tmp, "work") // outside any module, like a user's shell
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{work, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	env := append(os.Environ(),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"), // a clean module cache
		"GOFLAGS=-modcacherw",                        // so it can be removed afterwards
		"GOBIN="+bin,
		"GOWORK=off",
		"GOTOOLCHAIN=local",
	)
	ours := "file://" + filepath.ToSlash(proxy)
	where := "offline: dependencies from the local module cache, which checked them against go.sum when it downloaded them"
	if online {
		goProxy, err := output("", "go", "env", "GOPROXY")
		if err != nil {
			return err
		}
		// Only this unpublished pseudo-version is exempt from the checksum database.
		env = append(env, "GOPROXY="+ours+","+goProxy, "GONOSUMDB="+modulePath)
		where = "dependencies from " + goProxy + ", checked against the checksum database"
	} else {
		goModCache, err := output("", "go", "env", "GOMODCACHE")
		if err != nil {
			return err
		}
		env = append(env, "GOPROXY="+ours+",file://"+filepath.ToSlash(filepath.Join(goModCache, "cache", "download")), "GOSUMDB=off")
	}

	target := command + "@" + version
	fmt.Printf("go install %s\n  HEAD %s as committed, into a clean module cache; %s\n", target, hash[:12], where)
	cmd := exec.Command("go", "install", target)
	cmd.Dir, cmd.Env = work, env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install: %w\n%s", err, out)
	}
	got, err := output("", filepath.Join(bin, "cloudconnexa-fake"), "-version")
	if err != nil {
		return err
	}
	fmt.Printf("cloudconnexa-fake -version: %s\n", got)
	if !strings.HasPrefix(got, "cloudconnexa-fake "+version+" (api ") {
		return fmt.Errorf("-version printed %q, want the installed version %s", got, version)
	}
	fmt.Printf("ok (%.1fs)\n", time.Since(start).Seconds())
	return nil
}

// serve lays out a GOPROXY directory serving the module at version from
// the commit hash.
func serve(proxy, version, hash string, secs int64) error {
	dir := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := output("", "git", "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	gomod, err := output(root, "git", "show", hash+":go.mod")
	if err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, time.Unix(secs, 0).UTC()})
	if err != nil {
		return err
	}
	// The committed tree, as the proxy zips a tag (a worktree's .git file
	// defeats zip.CreateFromVCS, so git archive extracts it first).
	tree := filepath.Join(proxy, "tree")
	if err := os.Mkdir(tree, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	if _, err := output(root, "sh", "-c", `git archive --format=tar "$1" | tar -x -C "$2"`, "sh", hash, tree); err != nil {
		return err
	}
	var zipped bytes.Buffer
	if err := zip.CreateFromDir(&zipped, module.Version{Path: modulePath, Version: version}, tree); err != nil {
		return fmt.Errorf("module zip: %w", err)
	}
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "list"), []byte(version+"\n"), 0o644),
		os.WriteFile(filepath.Join(dir, version+".info"), info, 0o644),
		os.WriteFile(filepath.Join(dir, version+".mod"), []byte(gomod+"\n"), 0o644),
		os.WriteFile(filepath.Join(dir, version+".zip"), zipped.Bytes(), 0o644),
	)
}

// semverRelease matches a release version: v0.1.0.
var semverRelease = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)

func output(dir, name string, args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stderr = dir, &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

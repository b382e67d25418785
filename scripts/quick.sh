#!/bin/sh
# The quick loop (make quick): gofmt, go vet and go test, without -race,
# -count=1 or -coverpkg, of the packages a change touches: those holding a
# .go file (or testdata) changed since the merge base with BASE (default
# main), committed or not. With DEPS=1, also every package whose tests
# build on one of them (for a change in client/, 14 more packages: about
# four times the time). Unchanged test results come from go's test cache.
# `make test` and `make ci` stay the full runs.
set -eu
base=${BASE:-main}
deps=${DEPS:-}
go=${GO:-go}
mb=$(git merge-base HEAD "$base" 2>/dev/null || echo HEAD)

# Files changed: committed since the merge base, staged, unstaged, untracked.
files=$( { git diff --name-only "$mb" --; git ls-files --others --exclude-standard; } | sort -u)
dirs=$(printf '%s\n' "$files" | grep -v '^tools/' | grep -E '\.go$|/testdata/' |
	sed -e 's|/testdata/.*||' -e 's|/[^/]*$||' -e 's|^[^/]*\.go$|.|' | sort -u)
tools=$(printf '%s\n' "$files" | grep -E '^tools/.*\.go$' || true)

changed=""
for d in $dirs; do
	[ -d "$d" ] || continue
	p=$($go list "./$d" 2>/dev/null) || continue
	changed="$changed $p"
done

pkgs=$(printf '%s\n' $changed | sort -u)
if [ -n "$changed" ] && [ -n "$deps" ]; then
	# Every package whose test binary depends on a changed package
	# (go list -test lists "p [p.test]" with the test's transitive deps).
	pkgs=$($go list -test -f '{{.ImportPath}} {{join .Deps " "}}' ./... |
		awk -v set="$changed" '
			BEGIN { n = split(set, a, " "); for (i = 1; i <= n; i++) c[a[i]] = 1 }
			{
				# p, "p [p.test]", "p_test [p.test]" and the test main "p.test"
				p = $1; sub(/\.test$/, "", p); sub(/_test$/, "", p)
				hit = (p in c)
				for (i = 2; i <= NF && !hit; i++) if ($i in c) hit = 1
				if (hit) print p
			}' | sort -u)
fi

if [ -z "$pkgs" ] && [ -z "$tools" ]; then
	echo "quick: no Go package changed since $base"
	exit 0
fi
gofiles=$(printf '%s\n' "$files" | grep '\.go$' || true)
if [ -n "$gofiles" ]; then
	existing=$(for f in $gofiles; do [ -f "$f" ] && echo "$f"; done)
	if [ -n "$existing" ]; then
		out=$(gofmt -l $existing)
		[ -z "$out" ] || { echo "gofmt needed:"; echo "$out"; exit 1; }
	fi
fi
if [ -n "$pkgs" ]; then
	echo "quick: $(echo $pkgs | wc -w) packages:" $pkgs | sed "s|$($go list -m)/||g"
	$go vet $pkgs
	$go test $pkgs
fi
if [ -n "$tools" ]; then
	$go -C tools vet ./...
	$go -C tools test ./...
fi

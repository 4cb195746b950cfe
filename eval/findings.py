#!/usr/bin/env python3
"""Every finding authlint gives on the labelled repositories, next to the label it matches.

usage: MIRROR=<folder of owner+name/repo mirrors> eval/findings.py AUTHLINT_BIN LABELS.tsv > out.tsv

For each (repo, commit) in LABELS the tree is exported with `git archive` into a temp folder and
checked with `authlint check . --format json`. Each finding is printed with the label it matches
under the real-eval convention (same file, one of the label's rules, within 6 lines, nearest
first): RISK, SAFE, or `-` when no label covers it. Unlabelled findings are the ones a reviewer
must judge by hand (eval/blind_review.tsv records those verdicts).
"""
import csv, json, os, subprocess, sys, tempfile

TOL = 6

def export(git, commit, dest):
    """The tree of `commit` in dest; blobs a snapshot lacks (large files) are left out."""
    arch = subprocess.run(['git', '--git-dir', git, 'archive', commit], capture_output=True)
    if arch.returncode == 0:
        subprocess.run(['tar', '-x', '-C', dest], input=arch.stdout, check=True)
        return True
    ls = subprocess.run(['git', '--git-dir', git, 'ls-tree', '-r', '-z', commit], capture_output=True)
    if ls.returncode != 0:
        return False
    for entry in ls.stdout.split(b'\0'):
        if not entry:
            continue
        meta, path = entry.split(b'\t', 1)
        mode, kind, sha = meta.split()
        if kind != b'blob' or mode == b'120000':
            continue
        blob = subprocess.run(['git', '--git-dir', git, 'cat-file', 'blob', sha], capture_output=True)
        if blob.returncode != 0:
            continue
        target = os.path.join(dest, os.fsdecode(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'wb') as fh:
            fh.write(blob.stdout)
    return True

def main():
    binary, labels = sys.argv[1], sys.argv[2]
    mirror = os.environ.get('MIRROR', '/work/.mirror')
    rows = list(csv.DictReader(open(labels), delimiter='\t'))
    trees = sorted({(r['repo'], r['commit']) for r in rows})
    out = csv.writer(sys.stdout, delimiter='\t', lineterminator='\n')
    out.writerow(['repo', 'path', 'line', 'rule', 'severity', 'role', 'label', 'label_line', 'message'])
    for repo, commit in trees:
        git = os.path.join(mirror, repo.replace('/', '+'), 'repo')
        with tempfile.TemporaryDirectory() as tmp:
            if not export(git, commit, tmp):
                print(f'# {repo}@{commit[:10]}: cannot export', file=sys.stderr)
                continue
            p = subprocess.run([binary, 'check', '.', '--format', 'json', '--no-config'],
                               cwd=tmp, capture_output=True, text=True)
            doc = json.loads(p.stdout)
        labelled = [r for r in rows if r['repo'] == repo and r['commit'] == commit]
        for f in doc['findings']:
            best = None
            for r in labelled:
                if f['rule'] not in r['rules'].split('|') or os.path.normpath(r['path']) != f['path']:
                    continue
                d = abs(int(r['line']) - f['start']['line'])
                if d <= TOL and (best is None or d < best[0]):
                    best = (d, r)
            label = best[1]['expected'] if best else '-'
            label_line = best[1]['line'] if best else ''
            out.writerow([repo, f['path'], f['start']['line'], f['rule'], f['severity'], f.get('role', '-'),
                          label, label_line, f['message'][:160]])

if __name__ == '__main__':
    main()

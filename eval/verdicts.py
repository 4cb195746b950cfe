#!/usr/bin/env python3
"""Run `authlint design` over the verdict corpus and compare with the labels written beforehand.

usage: eval/verdicts.py AUTHLINT_BIN [LABELS]   (default labels: eval/verdict_labels.tsv)
MIRROR: the folder of fetched mirrors (owner+name/repo bare git directories).
Each repository is exported at its labelled commit into a temporary tree (files whose objects
the mirror lacks are left out, as `real-eval` does) and authlint runs once on it. A verdict
agrees when both the architecture found and the recommendation match the label; for a
repository of independent applications (`per-application`), every group must match. Prints
one row per project and the share that agrees.
"""
import csv, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.environ.get('MIRROR', '/work/.mirror')


def export(repo, commit, dest):
    git = os.path.join(MIRROR, repo.replace('/', '+'), 'repo')
    if not os.path.isdir(git):
        return False
    tar = subprocess.run(['git', '--git-dir', git, 'archive', commit], capture_output=True)
    subprocess.run(['tar', '-x', '-C', dest], input=tar.stdout, capture_output=True)
    return True


def verdict(binary, tree):
    out = subprocess.run([binary, 'design', '.', '--format', 'json'], cwd=tree,
                         capture_output=True, text=True, timeout=600)
    d = json.loads(out.stdout)['design']
    groups = d.get('applications') or []
    return d['found'], d['recommended'], groups


def main():
    binary = os.path.abspath(sys.argv[1])
    labels = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'verdict_labels.tsv')
    rows = [r for r in csv.DictReader((l for l in open(labels) if not l.startswith('#')), delimiter='\t')]
    agree = 0
    print('repo\texpected\tgot\tagrees')
    for r in rows:
        with tempfile.TemporaryDirectory() as tmp:
            if not export(r['repo'], r['commit'], tmp):
                print(f"{r['repo']}\tunavailable\t\t")
                continue
            found, rec, groups = verdict(binary, tmp)
        exp = (r['expected_architecture'], r['expected_recommendation'])
        if found == 'per-application':
            pairs = {(g['found'], g['recommended']) for g in groups}
            ok = pairs == {exp}
            got = '; '.join(f"{','.join(g['applications'][:3])}{'…' if len(g['applications']) > 3 else ''}: {g['found']} -> {g['recommended']}" for g in groups)
        else:
            ok = (found, rec) == exp
            got = f'{found} -> {rec}'
            if len(groups) == 1 and len(groups[0]['applications']) > 1:
                got += f" ({len(groups[0]['applications'])} applications)"
        agree += ok
        print(f"{r['repo']}\t{exp[0]} -> {exp[1]}\t{got}\t{'yes' if ok else 'NO'}")
    print(f'agree: {agree}/{len(rows)}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Per-rule precision over ALL findings (labelled or reviewed) and recall over the labels.

usage: eval/score.py FINDINGS.tsv LABELS.tsv REVIEW.tsv
FINDINGS.tsv comes from eval/findings.py. A finding that matches a RISK label is a true positive,
one that matches a SAFE label a false positive; an unlabelled finding takes its verdict from
REVIEW.tsv (TP, FP or debatable; a finding with no verdict is counted as unreviewed). Precision is
printed twice: `strict` counts debatable findings as false, `lenient` as true; and once more over
warnings and errors only (what fails CI at the default --fail-on warning).
"""
import csv, sys
from collections import defaultdict

def main():
    findings = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
    labels = list(csv.DictReader(open(sys.argv[2]), delimiter='\t'))
    review = {(r['repo'], r['path'], r['line'], r['rule']): r['verdict']
              for r in csv.DictReader(open(sys.argv[3]), delimiter='\t')}
    per = defaultdict(lambda: defaultdict(int))
    for f in findings:
        if f['label'] == 'RISK':
            v = 'TP'
        elif f['label'] == 'SAFE':
            v = 'FP'
        else:
            v = review.get((f['repo'], f['path'], f['line'], f['rule']), 'unreviewed')
        for key in (f['rule'], 'ALL'):
            per[key][v] += 1
            if f['severity'] != 'note':
                per[key]['ci_' + v] += 1
    risks = defaultdict(int)
    for l in labels:
        if l['expected'] == 'RISK':
            risks[l['rules'].split('|')[0]] += 1
            risks['ALL'] += 1
    print('rule\tfindings\tTP\tFP\tdebatable\tunreviewed\tprecision_strict\tprecision_lenient\tprecision_warn+err\tlabelled_risks')
    for rule in sorted(per, key=lambda r: (r == 'ALL', r)):
        c = per[rule]
        n = c['TP'] + c['FP'] + c['debatable'] + c['unreviewed']
        ci = c['ci_TP'] + c['ci_FP'] + c['ci_debatable'] + c['ci_unreviewed']
        p = lambda x, d: f'{x / d:.2f}' if d else '-'
        print(f"{rule}\t{n}\t{c['TP']}\t{c['FP']}\t{c['debatable']}\t{c['unreviewed']}\t"
              f"{p(c['TP'], n)}\t{p(c['TP'] + c['debatable'], n)}\t{p(c['ci_TP'] + c['ci_debatable'], ci)}\t{risks.get(rule, 0)}")

if __name__ == '__main__':
    main()

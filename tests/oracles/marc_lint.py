"""Run MARC::Lint (Perl, Debian libmarc-lint-perl) over an ISO 2709 file, for the oracle tests.

One output line per warning: record number (0-based, in the order MARC::Batch read them),
a tab, the warning. Reading errors end the batch (MARC::File::USMARC dies on a bad tag even
with strict_off), so they are reported as 'READ-ERROR ...'; a crash inside check_record (MARC::Lint
1.53 dies in check_020 on a 10-digit 020 $z with Business::ISBN 3, research/marc.md §2.1) is
'LINT-CRASH ...' and the record's other warnings are kept.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = r"""
use strict; use warnings;
use MARC::Batch; use MARC::Lint;
binmode STDOUT, ':encoding(UTF-8)';
my $batch = MARC::Batch->new('USMARC', $ARGV[0]);
$batch->strict_off(); $batch->warnings_off();
my $lint = MARC::Lint->new();
my $n = 0;
while (1) {
    my $record = eval { $batch->next() };
    if ($@) { (my $e = $@) =~ s/\s+/ /g; print "$n\tREAD-ERROR $e\n"; last; }
    last unless defined $record;
    print "$n\tread\n";
    for my $w ($record->warnings()) { $w =~ s/\s+/ /g; print "$n\t$w\n"; }
    eval { $lint->check_record($record) };
    if ($@) { (my $e = $@) =~ s/\s+/ /g; print "$n\tLINT-CRASH $e\n"; }
    for my $w ($lint->warnings()) { $w =~ s/\s+/ /g; print "$n\t$w\n"; }
    $n++;
}
"""


def lint_available() -> bool:
    perl = shutil.which("perl")
    return perl is not None and subprocess.run(
        [perl, "-MMARC::Lint", "-MMARC::Batch", "-e1"], capture_output=True, check=False).returncode == 0


def lint_command(directory: Path) -> list[str]:
    script = directory / "lint.pl"
    script.write_text(SCRIPT)
    return [str(shutil.which("perl")), str(script)]


def run_lint(command: list[str], path: Path) -> list[tuple[int, str]]:
    """(record number, warning) for every line MARC::Lint printed."""
    out = subprocess.run([*command, str(path)], capture_output=True, timeout=120, check=True)
    lines = []
    for line in out.stdout.decode("utf-8", "replace").split("\n"):  # not splitlines: 1E hex is a line break to it
        if line:
            number, _, warning = line.partition("\t")
            lines.append((int(number), warning))
    return lines

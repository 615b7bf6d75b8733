#!/bin/sh
# Renders the pictures of docs/dot.md from the traces in this folder:
#
#   docs/img/render.sh [KSMSIM]      (KSMSIM defaults to build/ksmsim)
#
# The SVGs depend on the fonts of the machine that renders them; the DOT
# text does not (tests/dot compares it with golden files).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ksmsim=${1:-$here/../../build/ksmsim}
cd "$here"
"$ksmsim" dot stable.trace stable stable.svg
"$ksmsim" dot --page a:0x100000006000 stable.trace stable stable-page.svg
"$ksmsim" dot unstable.trace unstable unstable.svg
"$ksmsim" dot --at 20 unstable.trace unstable unstable-between.svg
"$ksmsim" dot family.trace anon_vma c 0x200000000000 anon_vma.svg
"$ksmsim" dot family.trace mm b mm.svg
"$ksmsim" dot all.trace all all.svg
"$ksmsim" dot divergence.trace rmap p 0x100000000000 rmap.svg

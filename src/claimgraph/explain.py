"""Why a claim was attributed as it was: the cue, the rule, the resolution steps, the hedges."""

from __future__ import annotations

from claimgraph.errors import ClaimgraphError
from claimgraph.model import Analysis


def explain_claim(analysis: Analysis, claim_id: str) -> str:
    """A readable account of one claim, from the analysis that holds it."""
    for da in analysis.documents:
        for claim in da.claims:
            if claim.id != claim_id:
                continue
            text = da.document.text
            names = {s.id: (s.name or s.descriptor or s.id) for s in da.sources}
            why = claim.explanation
            lines = [
                f"claim {claim.id} in {da.document.path or da.document.id}",
                "  content: " + " … ".join(text[s.start : s.end] for s in claim.content),
                "  cue:     "
                + " … ".join(f"{text[s.start : s.end]!r} [{s.start}:{s.end}]" for s in claim.cue),
                "  source:  "
                + (", ".join(f"{text[s.start : s.end]!r}" for s in claim.source_mentions) or "(none)"),
                "  chain:   " + (" → ".join(names.get(c, c) for c in claim.chain) or "(unattributed)"),
                f"  mode:    {claim.mode} (share of content in quotation marks: {why.get('quoted_share', '?')})",
                f"  hedged:  {claim.hedged}"
                + (f" by {why['hedged_by']}" if claim.hedged and "hedged_by" in why else ""),
                f"  rule:    {why.get('rule', '?')} ({why.get('by', '?')}), cue lemma {why.get('cue', '?')!r}",
            ]
            if "source_resolution" in why:
                lines.append(f"  source resolved by: {why['source_resolution']}")
            if "relay_resolution" in why:
                lines.append(f"  relay resolved by: {', '.join(why['relay_resolution'])}")
            if "relay" in why:
                lines.append(f"  relay: {why['relay']}")
            if "nested_in" in why:
                lines.append(f"  nested inside the quotation of claim {why['nested_in']}")
            return "\n".join(lines)
    raise ClaimgraphError(f"no claim {claim_id!r} in the store")

"""Events: what happened, who did it, with what, how many, where and when (``events.rules.v2``).

``detect_events(document, parsed, claims, places, times, quantities, taxonomy, classifier)``
reads the spaCy parse of ``document.text``, the removed ranges, the claims
(content and cue spans), the places, time mentions and quantities found by the
other stages, and returns one ``Event`` per trigger word:

- trigger: a verb or noun whose lemma the taxonomy lists for an event type,
  with its constraints (theme in a lexicon, particle, modifier, an existential
  "there are N units"); the most constrained matching rule wins. Triggers in removed
  ranges, inside an attribution cue (unless the type allows it: "ordered" is both),
  or negated are skipped.
- actor: the grammatical subject, the passive agent ("by X"), the object of
  the governing verb for "ordered X to deploy", or the owner of a passive
  theme ("battalions under the 9th Corps"). Pronouns give no actor.
- theme: direct object, passive subject, the noun a participle modifies, or what an
  existential introduces. It becomes the equipment (types whose role is ``equipment``)
  or the target. For "order" events, equipment named anywhere under the trigger is kept.
- quantity: the quantities counting the theme's head or its conjuncts; for a
  target they are summed ("ten men and one child" -> 11).
- places and time: those inside the trigger's clause (its syntactic subtree),
  else those in its sentence (places inside a source mention left out), else the
  place a definite description stands for ("the city"); then, across sentences,
  ``discourse`` carries places to a same-type event of the paragraph and shares
  fields with an anaphoric elaboration ("On that occasion, ...").
- claims: attributed claims whose content contains the trigger.
- acled_code and confidence: ``acled.AcledClassifier.classify_event``: the taxonomy
  type's code and the CASE 2021 cue words of the sentence; halved when a modal verb
  ("might", "could") governs the trigger.

Modules: ``taxonomy`` (the data file), ``syntax`` (roles off the parse), ``detect``
(the stage), ``discourse`` (across sentences), ``acled`` (CASE 2021 codes),
``embedding`` (optional sentence embeddings for the codes).
"""

from claimgraph.events.acled import AcledClassifier, classify_snippet, load_labels
from claimgraph.events.detect import detect_events
from claimgraph.events.taxonomy import (
    TAXONOMY_FILE,
    EventType,
    Taxonomy,
    TaxonomyError,
    TriggerRule,
    load_taxonomy,
    parse_taxonomy,
)

NAME = "events.rules.v2"

__all__ = [
    "NAME",
    "TAXONOMY_FILE",
    "AcledClassifier",
    "EventType",
    "Taxonomy",
    "TaxonomyError",
    "TriggerRule",
    "classify_snippet",
    "detect_events",
    "load_labels",
    "load_taxonomy",
    "parse_taxonomy",
]

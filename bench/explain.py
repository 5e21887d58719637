"""EXPLAIN ANALYZE of the challenge search at scale: prints the plan and whether the GIN index on
challenges_challenge.search_vector is used. Run with the benchmark's settings:

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.explain [words …]
"""

import sys

import django

GIN_INDEX = "challenge_search_vector_gin"


def main(words: str) -> int:
    django.setup()
    from challenges.models import Challenge
    from challenges.search import ChallengeFilters
    from challenges.selectors.discovery import MAX_RESULTS, public_challenges_matching

    queryset = public_challenges_matching(text=words, filters=ChallengeFilters(status="all"), sort="")
    rows = Challenge.objects.count()
    # What the list runs: the capped count, then the first page (the prefetch of themes is a second query).
    plan_count = queryset[: MAX_RESULTS + 1].explain(analyze=True, buffers=True)
    plan_page = queryset[:20].explain(analyze=True, buffers=True)
    print(f"Search for {words!r} over {rows:,} challenges: the first page's query")
    print(plan_page)
    print(f"\n… and the capped count ({MAX_RESULTS + 1} rows at most):")
    print(plan_count)
    used = GIN_INDEX in plan_page and GIN_INDEX in plan_count
    print(f"\nGIN index {GIN_INDEX} used: {'yes' if used else 'NO'}")
    return 0 if used else 1


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:]) or "flooding residents"))

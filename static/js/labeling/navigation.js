// Which sentence gets the focus. isLabeled(i) answers for sentence i of
// count; no DOM here, so the rules are unit-tested in Node.

// The next unlabeled sentence after `from`, wrapping round to the top; `from`
// itself only when it is the only one left. -1 when every sentence is labeled.
export function nextUnlabeled(isLabeled, count, from) {
  for (let step = 1; step <= count; step += 1) {
    const i = (from + step) % count;
    if (!isLabeled(i)) return i;
  }
  return -1;
}

// Where the page opens: the first unlabeled sentence, or the first sentence
// when all are labeled. -1 for an article without sentences.
export function startingSentence(isLabeled, count) {
  if (count === 0) return -1;
  const first = isLabeled(0) ? nextUnlabeled(isLabeled, count, 0) : 0;
  return first === -1 ? 0 : first;
}

// Moving stops at either end (no wrapping): the user sees where the text ends.
export function moveTarget(move, current, count) {
  switch (move) {
    case "next":
      return Math.min(count - 1, current + 1);
    case "previous":
      return Math.max(0, current - 1);
    case "first":
      return 0;
    case "last":
      return count - 1;
    default:
      throw new Error(`Unknown move: ${move}`);
  }
}

// The world matrix, part 3: a bad gateway (HTML 502, truncated JSON, no Result, wrong types,
// oversized pages, no answer) on DescribeTasks and DescribeImages while copies run.
import { defineWorlds } from "./matrix";
import { BAD_GATEWAY } from "./worlds";

defineWorlds("world matrix: bad gateway", BAD_GATEWAY);

// The world matrix, part 2: the readings of the API the docs leave open (tags on CopyImage,
// permissions, DeleteBindedSnapshots default, DeleteImages details, DescribeImages unknown ids).
import { defineWorlds } from "./matrix";
import { API_READINGS } from "./worlds";

defineWorlds("world matrix: API readings", API_READINGS);

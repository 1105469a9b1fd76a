// The world matrix, part 1: the default world and every progress profile (with jitter).
import { defineWorlds } from "./matrix";
import { DEFAULT_AND_PROGRESS } from "./worlds";

defineWorlds("world matrix: default and progress profiles", DEFAULT_AND_PROGRESS);

/** What a processing rule asks for, once parsed: the executor's only input besides the image. */

export type Gravity = 'northwest' | 'north' | 'northeast' | 'west' | 'center' | 'east' | 'southwest' | 'south' | 'southeast';

/** A thumbnail size as COS writes it (doc 436/44880), before the image's own size is known. */
export type Thumbnail =
  | { kind: 'percent'; width: number; height: number }
  | { kind: 'fit'; width?: number; height?: number; only?: 'shrink' | 'enlarge' }
  | { kind: 'cover'; width: number; height: number }
  | { kind: 'exact'; width: number; height: number }
  | { kind: 'area'; pixels: number };

export type Crop =
  | { kind: 'size'; width?: number; height?: number }
  | { kind: 'offset'; width: number; height: number; dx: number; dy: number };

export type Step =
  | { op: 'thumbnail'; size: Thumbnail }
  | { op: 'crop'; crop: Crop; gravity: Gravity }
  | { op: 'cut'; width: number; height: number; dx: number; dy: number }
  | { op: 'iradius'; radius: number }
  | { op: 'rotate'; degrees: number }
  | { op: 'auto-orient' }
  | { op: 'blur'; radius: number; sigma: number };

export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'avif';

/** One `imageMogr2/…` stage: its pixel steps in order, then how the result is encoded. */
export interface MogrStage {
  kind: 'mogr';
  steps: Step[];
  format?: OutputFormat;
  quality?: number;
  strip: boolean;
  interlace: boolean;
  /** `ignore-error/1`: on a failure COS answers the original rather than an error. */
  ignoreError: boolean;
}

/** The stages that answer JSON about the image instead of an image. */
export interface InfoStage {
  kind: 'imageInfo' | 'imageAve' | 'exif';
}

export type Stage = MogrStage | InfoStage;

/** A whole rule: stages joined by `|`, run left to right on each other's output. */
export interface ImagePlan {
  /** The rule as the request sent it, for messages. */
  rule: string;
  stages: Stage[];
}

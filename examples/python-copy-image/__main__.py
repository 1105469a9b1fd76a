"""One copy of a custom image in another region, with the Python SDK of the provider plugin.

    pulumi config set sourceImageId image-xxxxxxxxxxxxxxxxxxxx
    pulumi up
"""

import pulumi
import pulumi_volcengine_copied_image as copied_image

config = pulumi.Config()

copy = copied_image.CopiedImage(
    "golden-image",
    source_image_id=config.require("sourceImageId"),
    source_region="cn-beijing",
    destination_region="cn-shanghai",
    image_name="golden-image-shanghai",
    tags={"managed-by": "pulumi"},
)

pulumi.export("imageId", copy.image_id)

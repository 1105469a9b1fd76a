// One copy of a custom image in another region, with the Go SDK of the provider plugin.
//
//	pulumi config set sourceImageId image-xxxxxxxxxxxxxxxxxxxx
//	pulumi up
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"volcengine-copied-image/sdk/go/volcenginecopiedimage"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		copy, err := volcenginecopiedimage.NewCopiedImage(ctx, "golden-image", &volcenginecopiedimage.CopiedImageArgs{
			SourceImageId:     pulumi.String(cfg.Require("sourceImageId")),
			SourceRegion:      pulumi.String("cn-beijing"),
			DestinationRegion: pulumi.String("cn-shanghai"),
			ImageName:         pulumi.String("golden-image-shanghai"),
			Tags:              pulumi.StringMap{"managed-by": pulumi.String("pulumi")},
		})
		if err != nil {
			return err
		}
		ctx.Export("imageId", copy.ImageId)
		return nil
	})
}

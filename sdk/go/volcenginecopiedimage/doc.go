// Copies a Volcengine ECS custom image to another region and manages the copy for its whole life.
package volcenginecopiedimage
